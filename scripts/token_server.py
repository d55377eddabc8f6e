"""A local OAuth 2.0 token endpoint for tests: it really verifies what a client sends.

  python scripts/token_server.py --public-key PUB.pem --client-email EMAIL [--port 0] [--port-file FILE]

POST /token   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
              The assertion is verified with PyJWT against the public key: RS256 signature,
              iss == client email, aud == this endpoint's token URL, a scope claim, iat/exp
              present with exp - iat <= 3600 and not expired. Success: {"access_token", "expires_in",
              "token_type"}; failure: HTTP 400 {"error": "invalid_grant", "error_description": …}.
GET  /check   200 when the Bearer token was issued here and not revoked, else 401.
POST /revoke-all  revokes every issued token.
GET  /stats   {"tokens_issued", "assertions_rejected", "checks_refused"}.
"""
import argparse
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class State:
    def __init__(self, public_key: str, client_email: str):
        self.public_key = public_key
        self.client_email = client_email
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.stats = {"tokens_issued": 0, "assertions_rejected": 0, "checks_refused": 0}
        self.token_url = ""


class Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, *args):  # quiet
        pass

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

    def do_GET(self):
        if self.path == "/stats":
            with self.state.lock:
                self.reply(200, dict(self.state.stats))
        elif self.path == "/check":
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            with self.state.lock:
                ok = token in self.state.tokens
                if not ok:
                    self.state.stats["checks_refused"] += 1
            self.reply(200 if ok else 401, {"ok": ok} if ok else {"error": {"code": 401, "message": "invalid token"}})
        else:
            self.reply(404, {"error": "not_found"})

    def do_POST(self):
        if self.path == "/revoke-all":
            with self.state.lock:
                self.state.tokens.clear()
            self.reply(200, {"revoked": True})
        elif self.path == "/token":
            self.token()
        else:
            self.reply(404, {"error": "not_found"})

    def reject(self, error: str, description: str) -> None:
        with self.state.lock:
            self.state.stats["assertions_rejected"] += 1
        self.reply(400, {"error": error, "error_description": description})

    def token(self) -> None:
        form = self.form()
        if form.get("grant_type") != JWT_BEARER:
            return self.reject("unsupported_grant_type", f"grant_type {form.get('grant_type')!r} is not supported")
        assertion = form.get("assertion", "")
        try:
            claims = jwt.decode(assertion, self.state.public_key, algorithms=["RS256"],
                                audience=self.state.token_url, issuer=self.state.client_email,
                                options={"require": ["iss", "aud", "iat", "exp", "scope"]})
        except jwt.PyJWTError as error:
            return self.reject("invalid_grant", f"assertion rejected: {error}")
        if jwt.get_unverified_header(assertion).get("kid") in (None, ""):
            return self.reject("invalid_grant", "assertion header has no kid")
        if not claims.get("scope"):
            return self.reject("invalid_scope", "the assertion has an empty scope")
        if claims["exp"] - claims["iat"] > 3600 or claims["iat"] > time.time() + 60:
            return self.reject("invalid_grant", "iat/exp must span at most one hour, starting now")
        token = "ya29.test-" + secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.tokens.add(token)
            self.state.stats["tokens_issued"] += 1
        self.reply(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--client-email", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    with open(args.public_key) as handle:
        state = State(handle.read(), args.client_email)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    port = server.server_address[1]
    state.token_url = f"http://127.0.0.1:{port}/token"
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(str(port))
        import os
        os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
