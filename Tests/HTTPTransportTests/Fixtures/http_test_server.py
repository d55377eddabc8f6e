"""Local HTTP server for the HTTPTransport tests.

Endpoints:
  ANY  /echo                 200, JSON with method, path, query, headers and body
  GET  /connections          JSON {"connections": n}: distinct client connections so far
  GET  /stall?seconds=N      waits N seconds, then 200
  GET  /most-stalling        {"most": N}: the most /stall requests that were waiting at once
  ANY  /script?id=K&statuses=503,503,200[&retry_after=V][&reason=R]
                             answers the i-th request for K with the i-th status (last one repeats);
                             non-2xx answers carry Retry-After: V and a Google error body with reason R
  GET  /hits?id=K            JSON {"hits": n}: requests seen for K
  GET  /gzip                 a gzip-encoded body when the client accepts gzip

Modes: --tls-cert/--tls-key serve HTTPS; --blackhole listens without ever accepting, with a full
backlog, so that connection attempts time out.
"""
import argparse
import gzip
import json
import os
import signal
import sys
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
STATE = {"connections": 0, "hits": {}, "stalling": 0, "most_stalling": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with LOCK:
            STATE["connections"] += 1

    def log_message(self, format, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, status, value, headers=None):
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        self.reply(status, json.dumps(value).encode(), all_headers)

    def handle_any(self):
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = parts.path
        if route == "/echo":
            self.reply_json(200, {
                "method": self.command,
                "path": parts.path,
                "query": parts.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }, {"X-Echo": "yes"})
        elif route == "/connections":
            with LOCK:
                count = STATE["connections"]
            self.reply_json(200, {"connections": count})
        elif route == "/stall":
            with LOCK:
                STATE["stalling"] += 1
                STATE["most_stalling"] = max(STATE["most_stalling"], STATE["stalling"])
            try:
                time.sleep(float(query.get("seconds", "5")))
            finally:
                with LOCK:
                    STATE["stalling"] -= 1
            self.reply(200, b"late")
        elif route == "/most-stalling":
            with LOCK:
                count = STATE["most_stalling"]
            self.reply_json(200, {"most": count})
        elif route == "/script":
            key = query.get("id", "")
            statuses = [int(s) for s in query.get("statuses", "200").split(",")]
            with LOCK:
                index = STATE["hits"].get(key, 0)
                STATE["hits"][key] = index + 1
            status = statuses[min(index, len(statuses) - 1)]
            if 200 <= status < 300:
                self.reply_json(status, {"ok": True, "attempt": index + 1})
                return
            headers = {}
            if "retry_after" in query:
                headers["Retry-After"] = query["retry_after"]
            error = {"code": status, "message": "scripted failure"}
            if "reason" in query:
                error["errors"] = [{"reason": query["reason"], "message": "scripted"}]
            self.reply_json(status, {"error": error}, headers)
        elif route == "/hits":
            with LOCK:
                count = STATE["hits"].get(query.get("id", ""), 0)
            self.reply_json(200, {"hits": count})
        elif route == "/gzip":
            text = b"compressed hello " * 100
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                self.reply(200, gzip.compress(text), {"Content-Encoding": "gzip"})
            else:
                self.reply(200, text)
        else:
            self.reply_json(404, {"error": {"code": 404, "message": "no route " + route}})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def write_port(path, port):
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        f.write(str(port))
    os.replace(temporary, path)


def blackhole(port_file):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    # Fill the accept queue so that further SYNs are dropped and connects hang.
    for _ in range(4):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except (BlockingIOError, OSError):
            pass
        fillers.append(filler)
    time.sleep(0.2)
    write_port(port_file, port)
    while True:
        time.sleep(3600)


def main():
    # A parent may have spawned this process with signals blocked; make SIGTERM and SIGINT work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--blackhole", action="store_true")
    args = parser.parse_args()
    if args.blackhole:
        blackhole(args.port_file)
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    write_port(args.port_file, server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
