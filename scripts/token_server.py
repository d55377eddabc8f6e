#!/usr/bin/env python3
"""A local OAuth 2.0 token server for tests and demos.

Implements the JWT bearer grant (RFC 7523) the way Google's token endpoint does, so that
service-account authentication can be exercised without network access:

  POST /token       grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
                    The RS256 assertion is verified against --public-key: signature,
                    iss == --client-email, aud == this server's token URL, scope present,
                    exp - iat <= 3600. Success: {"access_token", "expires_in": 3600,
                    "token_type": "Bearer"}. Failure: 400 {"error": "invalid_grant", ...}.
  GET  /check       200 when "Authorization: Bearer TOKEN" names an issued, unrevoked token; else 401.
  POST /revoke-all  revokes every issued token.
  GET  /stats       {"tokens_issued", "assertions_rejected", "token_requests", "checks"}.

Usage:
  python scripts/token_server.py --public-key PUB.pem --client-email EMAIL --port 0 --port-file FILE

The port actually used is written to FILE once the server accepts connections.
Further grants are added by registering a handler in GRANT_HANDLERS.
"""
import argparse
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_LIFETIME = 3600
TOKEN_LIFETIME = 3600
CLOCK_SKEW = 60


class OAuthError(Exception):
    """An OAuth error answer: HTTP status, error code and description."""

    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class TokenState:
    """Issued tokens and counters, shared by all request threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}  # token -> {"subject": ..., "scope": ..., "expires": ...}
        self.revoked = set()
        self.counts = {"tokens_issued": 0, "assertions_rejected": 0, "token_requests": 0, "checks": 0}

    def count(self, name):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def issue(self, subject, scope):
        token = "tok-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = {"subject": subject, "scope": scope, "expires": time.time() + TOKEN_LIFETIME}
            self.counts["tokens_issued"] += 1
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}

    def is_valid(self, token):
        with self.lock:
            entry = self.tokens.get(token)
            return entry is not None and token not in self.revoked and entry["expires"] > time.time()

    def revoke_all(self):
        with self.lock:
            self.revoked.update(self.tokens.keys())
            return len(self.tokens)

    def stats(self):
        with self.lock:
            return dict(self.counts, tokens_active=len(set(self.tokens) - self.revoked))


def jwt_bearer_grant(server, form):
    """Verifies a service-account assertion and issues a token."""
    assertion = form.get("assertion", "")
    if not assertion:
        raise OAuthError("invalid_request", "missing assertion")
    try:
        claims = jwt.decode(
            assertion,
            server.public_key,
            algorithms=["RS256"],
            audience=server.token_url,
            issuer=server.client_email,
            leeway=CLOCK_SKEW,
            options={"require": ["iss", "aud", "iat", "exp"]},
        )
    except jwt.InvalidTokenError as error:
        raise OAuthError("invalid_grant", "Invalid JWT: %s" % error)
    if not isinstance(claims.get("scope"), str) or not claims["scope"].strip():
        raise OAuthError("invalid_scope", "Invalid JWT: scope claim missing or empty")
    if claims["exp"] - claims["iat"] > MAX_LIFETIME:
        raise OAuthError("invalid_grant", "Invalid JWT: token lifetime exceeds one hour (exp - iat > 3600)")
    if claims["iat"] > time.time() + CLOCK_SKEW:
        raise OAuthError("invalid_grant", "Invalid JWT: iat is in the future")
    return server.state.issue(claims.get("sub") or claims["iss"], claims["scope"])


# grant_type -> handler(server, form) returning the token answer or raising OAuthError.
GRANT_HANDLERS = {JWT_BEARER: jwt_bearer_grant}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ConveyorTokenServer/1"

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write("token_server: " + (format % args) + "\n")

    def reply(self, status, value, headers=None):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        for name, header in (headers or {}).items():
            self.send_header(name, header)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        path = urlsplit(self.path).path
        body = self.read_body()
        if path == "/token":
            self.token(body)
        elif path == "/revoke-all":
            self.reply(200, {"revoked": self.server.state.revoke_all()})
        else:
            self.reply(404, {"error": "not_found"})

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/check":
            self.check()
        elif path == "/stats":
            self.reply(200, self.server.state.stats())
        else:
            self.reply(404, {"error": "not_found"})

    def token(self, body):
        state = self.server.state
        state.count("token_requests")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            if content_type != "application/x-www-form-urlencoded":
                raise OAuthError("invalid_request", "expected application/x-www-form-urlencoded")
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
            handler = GRANT_HANDLERS.get(form.get("grant_type", ""))
            if handler is None:
                raise OAuthError("unsupported_grant_type", "grant_type %r is not supported" % form.get("grant_type"))
            answer = handler(self.server, form)
        except OAuthError as error:
            state.count("assertions_rejected")
            self.reply(error.status, {"error": error.error, "error_description": error.description})
            return
        self.reply(200, answer)

    def check(self):
        self.server.state.count("checks")
        authorization = self.headers.get("Authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and self.server.state.is_valid(token.strip()):
            self.reply(200, {"ok": True})
        else:
            self.reply(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                       "status": "UNAUTHENTICATED"}},
                       {"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host, port, public_key, client_email, verbose):
        super().__init__((host, port), Handler)
        self.public_key = public_key
        self.client_email = client_email
        self.verbose = verbose
        self.state = TokenState()
        self.token_url = "http://%s:%d/token" % (host, self.server_address[1])


def main():
    # A parent may have spawned this process with signals blocked; make SIGTERM and SIGINT work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parser = argparse.ArgumentParser(description="Local OAuth 2.0 token server (JWT bearer grant).")
    parser.add_argument("--public-key", required=True, help="PEM public key that verifies assertions")
    parser.add_argument("--client-email", required=True, help="expected iss claim")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="file that receives the port once the server is ready")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args()

    with open(args.public_key, "rb") as f:
        public_key = f.read()
    server = TokenServer(args.host, args.port, public_key, args.client_email, args.verbose)
    if args.port_file:
        temporary = args.port_file + ".tmp"
        with open(temporary, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(temporary, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
