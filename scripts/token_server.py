#!/usr/bin/env python3
"""A local OAuth 2.0 token server for tests and demos.

Implements the grants the way Google's endpoints do, so that authentication can be exercised
without network access:

  POST /token       grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
                    The RS256 assertion is verified against the --public-key(s): signature,
                    iss == --client-email, aud == this server's token URL, scope present,
                    exp - iat <= 3600, iat not in the future (60 s skew allowed); a `sub` claim
                    must name an --allowed-subject (domain-wide delegation).
                    grant_type=authorization_code&code&redirect_uri&client_id&client_secret&code_verifier
                    The client must authenticate (--client-id/--client-secret), the code must
                    be unused and issued for that redirect_uri, and SHA-256 of the PKCE
                    verifier must match the challenge. Answers a refresh_token too.
                    grant_type=refresh_token&refresh_token&client_id&client_secret
                    The refresh token must have been issued here and not revoked.
                    grant_type=client_credentials&client_id&client_secret[&scope]
                    The client must authenticate (--client-id/--client-secret).
                    Success: {"access_token", "expires_in": 3600, "token_type": "Bearer"}.
                    Failure: 400 {"error": "invalid_grant", ...} (401 invalid_client).
  GET  /authorize   response_type=code, client_id, redirect_uri (http://127.0.0.1:PORT/...),
                    state, code_challenge (S256): redirects (302) at once to
                    redirect_uri?code=…&state=… as if the user had consented.
  GET  /check       200 when "Authorization: Bearer TOKEN" names an issued, unrevoked token; else 401.
  POST /revoke-all  revokes every issued access and refresh token.
  POST /fault       mode=none|error|stall&seconds=N: from now on, POST /token answers 503
                    (`error`), or holds the request N seconds and then closes the connection
                    without an answer (`stall`); `none` ends the fault. --fault sets it at start.
  GET  /stats       {"tokens_issued", "assertions_rejected", "token_requests", "checks",
                     "authorizations", "grant_jwt_bearer", "grant_authorization_code",
                     "grant_refresh_token", "grant_client_credentials"} (grant_* count successful grants).

Usage:
  python scripts/token_server.py --public-key PUB.pem --client-email EMAIL --port 0 --port-file FILE
      [--public-key PUB2.pem] [--allowed-subject USER] [--client-id ID --client-secret SECRET]
      [--fault error|stall [--fault-seconds N]]

The port actually used is written to FILE once the server accepts connections.
Further grants are added by registering a handler in GRANT_HANDLERS.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

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
        self.codes = {}  # code -> {"client_id", "redirect_uri", "challenge", "scope"}
        self.refresh_tokens = {}  # refresh token -> {"client_id", "scope"}
        self.counts = {"tokens_issued": 0, "assertions_rejected": 0, "token_requests": 0, "checks": 0,
                       "authorizations": 0, "grant_jwt_bearer": 0, "grant_authorization_code": 0,
                       "grant_refresh_token": 0, "grant_client_credentials": 0}

    def count(self, name):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def issue(self, subject, scope):
        token = "tok-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = {"subject": subject, "scope": scope, "expires": time.time() + TOKEN_LIFETIME}
            self.counts["tokens_issued"] += 1
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}

    def issue_code(self, request):
        code = "code-" + secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = request
            self.counts["authorizations"] += 1
        return code

    def take_code(self, code):
        """The code's request, removed so that a code works once; None if unknown or used."""
        with self.lock:
            return self.codes.pop(code, None)

    def issue_refresh_token(self, client_id, scope):
        token = "refresh-" + secrets.token_urlsafe(32)
        with self.lock:
            self.refresh_tokens[token] = {"client_id": client_id, "scope": scope}
        return token

    def refresh_entry(self, token):
        with self.lock:
            return self.refresh_tokens.get(token)

    def is_valid(self, token):
        with self.lock:
            entry = self.tokens.get(token)
            return entry is not None and token not in self.revoked and entry["expires"] > time.time()

    def revoke_all(self):
        with self.lock:
            self.revoked.update(self.tokens.keys())
            count = len(self.tokens) + len(self.refresh_tokens)
            self.refresh_tokens.clear()
            return count

    def stats(self):
        with self.lock:
            return dict(self.counts, tokens_active=len(set(self.tokens) - self.revoked))


def jwt_bearer_grant(server, form):
    """Verifies a service-account assertion and issues a token."""
    assertion = form.get("assertion", "")
    if not assertion:
        raise OAuthError("invalid_request", "missing assertion")
    claims = None
    failure = None
    for public_key in server.public_keys:
        try:
            claims = jwt.decode(
                assertion,
                public_key,
                algorithms=["RS256"],
                audience=server.token_url,
                issuer=server.client_email,
                leeway=CLOCK_SKEW,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
            break
        except jwt.InvalidSignatureError as error:
            failure = failure or error
        except jwt.InvalidTokenError as error:
            failure = error
            break
    if claims is None:
        raise OAuthError("invalid_grant", "Invalid JWT: %s" % failure)
    if not isinstance(claims.get("scope"), str) or not claims["scope"].strip():
        raise OAuthError("invalid_scope", "Invalid JWT: scope claim missing or empty")
    if claims["exp"] - claims["iat"] > MAX_LIFETIME:
        raise OAuthError("invalid_grant", "Invalid JWT: token lifetime exceeds one hour (exp - iat > 3600)")
    if claims["iat"] > time.time() + CLOCK_SKEW:
        raise OAuthError("invalid_grant", "Invalid JWT: iat is in the future")
    if "sub" in claims and claims["sub"] not in server.allowed_subjects:
        raise OAuthError("unauthorized_client",
                         "Client is unauthorized to retrieve access tokens for subject %r" % claims["sub"])
    server.state.count("grant_jwt_bearer")
    return server.state.issue(claims.get("sub") or claims["iss"], claims["scope"])


def authenticate_client(server, form):
    """Checks client_id and client_secret (constant-time)."""
    if form.get("client_id") != server.client_id or not hmac.compare_digest(
            form.get("client_secret", "").encode(), server.client_secret.encode()):
        raise OAuthError("invalid_client", "The OAuth client was not found or the secret is wrong.", status=401)


def s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_code_grant(server, form):
    """Exchanges a code from /authorize for an access and a refresh token."""
    authenticate_client(server, form)
    request = server.state.take_code(form.get("code", ""))
    if request is None:
        raise OAuthError("invalid_grant", "Malformed auth code or code already used.")
    if request["client_id"] != form.get("client_id"):
        raise OAuthError("invalid_grant", "The code was issued to another client.")
    if request["redirect_uri"] != form.get("redirect_uri"):
        raise OAuthError("redirect_uri_mismatch", "redirect_uri does not match the authorization request.")
    verifier = form.get("code_verifier", "")
    if not (43 <= len(verifier) <= 128) or not hmac.compare_digest(s256(verifier), request["challenge"]):
        raise OAuthError("invalid_grant", "Invalid code verifier.")
    answer = server.state.issue(form["client_id"], request["scope"])
    answer["refresh_token"] = server.state.issue_refresh_token(form["client_id"], request["scope"])
    answer["scope"] = request["scope"]
    server.state.count("grant_authorization_code")
    return answer


def refresh_token_grant(server, form):
    """Exchanges an issued, unrevoked refresh token for an access token."""
    authenticate_client(server, form)
    entry = server.state.refresh_entry(form.get("refresh_token", ""))
    if entry is None or entry["client_id"] != form.get("client_id"):
        raise OAuthError("invalid_grant", "Token has been expired or revoked.")
    answer = server.state.issue(entry["client_id"], entry["scope"])
    answer["scope"] = entry["scope"]
    server.state.count("grant_refresh_token")
    return answer


def client_credentials_grant(server, form):
    """Issues an access token to the client itself (OAuth 2.0 client credentials)."""
    authenticate_client(server, form)
    answer = server.state.issue(form["client_id"], form.get("scope", ""))
    server.state.count("grant_client_credentials")
    return answer


# grant_type -> handler(server, form) returning the token answer or raising OAuthError.
GRANT_HANDLERS = {
    JWT_BEARER: jwt_bearer_grant,
    "client_credentials": client_credentials_grant,
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_token_grant,
}


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
            if self.inject_fault():
                return
            self.token(body)
        elif path == "/fault":
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()}
            self.server.fault = (form.get("mode", "none"), float(form.get("seconds", "30")))
            self.reply(200, {"fault": self.server.fault[0]})
        elif path == "/revoke-all":
            self.reply(200, {"revoked": self.server.state.revoke_all()})
        else:
            self.reply(404, {"error": "not_found"})

    def inject_fault(self):
        """Applies the configured fault to a token request; True when it answered (or dropped) it."""
        mode, seconds = self.server.fault
        if mode == "none":
            return False
        self.server.state.count("token_requests")
        self.server.state.count("faults_injected")
        if mode == "error":
            self.reply(503, {"error": "temporarily_unavailable", "error_description": "injected fault"})
        else:
            time.sleep(seconds)
            self.close_connection = True
        return True

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/check":
            self.check()
        elif path == "/authorize":
            self.authorize()
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

    def authorize(self):
        """Consents at once: redirects to redirect_uri with a fresh code and the state."""
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}
        redirect_uri = query.get("redirect_uri", "")
        target = urlsplit(redirect_uri)
        if query.get("client_id") != self.server.client_id:
            self.reply(400, {"error": "invalid_client", "error_description": "unknown client_id"})
            return
        if target.scheme != "http" or target.hostname != "127.0.0.1" or not target.port:
            self.reply(400, {"error": "invalid_request",
                             "error_description": "redirect_uri must be http://127.0.0.1:PORT/ (loopback)"})
            return
        separator = "&" if target.query else "?"
        problems = []
        if query.get("response_type") != "code":
            problems.append("response_type must be code")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problems.append("PKCE S256 code_challenge required")
        if not query.get("scope"):
            problems.append("scope required")
        if problems:
            params = {"error": "invalid_request", "error_description": "; ".join(problems)}
        else:
            code = self.server.state.issue_code({"client_id": query["client_id"], "redirect_uri": redirect_uri,
                                                 "challenge": query["code_challenge"], "scope": query["scope"]})
            params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        self.send_response(302)
        self.send_header("Location", redirect_uri + separator + urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

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

    def __init__(self, host, port, public_keys, client_email, verbose, allowed_subjects=(),
                 client_id="conveyor-test-client", client_secret="conveyor-test-secret"):
        super().__init__((host, port), Handler)
        self.public_keys = public_keys
        self.client_email = client_email
        self.allowed_subjects = set(allowed_subjects)
        self.client_id = client_id
        self.client_secret = client_secret
        self.verbose = verbose
        self.state = TokenState()
        self.fault = ("none", 30.0)
        self.token_url = "http://%s:%d/token" % (host, self.server_address[1])


def main():
    # A parent may have spawned this process with signals blocked; make SIGTERM and SIGINT work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parser = argparse.ArgumentParser(description="Local OAuth 2.0 token server (JWT bearer, authorization code, refresh token).")
    parser.add_argument("--public-key", required=True, action="append", help="PEM public key that verifies assertions (repeatable)")
    parser.add_argument("--allowed-subject", action="append", default=[], help="a user that assertions may impersonate (sub)")
    parser.add_argument("--client-id", default="conveyor-test-client", help="the OAuth client of the authorization code grant")
    parser.add_argument("--client-secret", default="conveyor-test-secret", help="that client's secret")
    parser.add_argument("--client-email", required=True, help="expected iss claim")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="file that receives the port once the server is ready")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    parser.add_argument("--fault", choices=["none", "error", "stall"], default="none",
                        help="token requests answer 503 (error) or hang --fault-seconds and get no answer (stall)")
    parser.add_argument("--fault-seconds", type=float, default=30.0)
    args = parser.parse_args()

    public_keys = []
    for path in args.public_key:
        with open(path, "rb") as f:
            public_keys.append(f.read())
    server = TokenServer(args.host, args.port, public_keys, args.client_email, args.verbose,
                         args.allowed_subject, args.client_id, args.client_secret)
    server.fault = (args.fault, args.fault_seconds)
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
