"""A recording HTTP server that answers as BigQuery documents it, for the BigQuery tests.

  recording_server.py --script SCRIPT.json --port-file FILE

SCRIPT.json is a list of rules {"method": "POST", "path": "<regex, full match on the path>",
"responses": [{"status": 200, "json": {...}, "headers": {...}}, ...]}: the n-th request matching
a rule gets the rule's n-th response (the last one repeats). Requests matching no rule get 404.
Every request but `GET /_requests` is recorded; `GET /_requests` returns them as JSON: a list of
{"method", "path", "query" (name -> list of values), "headers" (lower-case name -> value), "body"}.
"""
import argparse
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
RECORDED = []
RULES = []
COUNTS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def reply(self, status, body, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.command == "GET" and parts.path == "/_requests":
            with LOCK:
                data = json.dumps(RECORDED).encode()
            self.reply(200, data, {"Content-Type": "application/json"})
            return
        with LOCK:
            RECORDED.append({
                "method": self.command,
                "path": parts.path,
                "query": parse_qs(parts.query, keep_blank_values=True),
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", errors="replace"),
            })
            response = None
            for number, rule in enumerate(RULES):
                if rule.get("method", self.command) == self.command and re.fullmatch(rule["path"], parts.path):
                    seen = COUNTS.get(number, 0)
                    COUNTS[number] = seen + 1
                    responses = rule["responses"]
                    response = responses[min(seen, len(responses) - 1)]
                    break
        if response is None:
            error = {"error": {"code": 404, "message": f"no rule for {self.command} {parts.path}",
                               "errors": [{"reason": "notFound", "message": "no rule"}], "status": "NOT_FOUND"}}
            self.reply(404, json.dumps(error).encode(), {"Content-Type": "application/json"})
            return
        headers = dict(response.get("headers", {}))
        if "json" in response:
            data = json.dumps(response["json"]).encode()
            headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        else:
            data = response.get("body", "").encode()
        self.reply(response.get("status", 200), data, headers)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    with open(args.script) as handle:
        RULES.extend(json.load(handle))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
