#!/usr/bin/env python3
"""A keep-alive HTTP/1.1 server of small JSON resources for bench/http-get.sh.

GET /items/ID answers {"id": "ID", "name": "item ID", "price": 12.5} (about 50 bytes).
usage: http_items_server.py PORT_FILE   (listens on a free loopback port, written to PORT_FILE)
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def do_GET(self):
        ident = self.path.rsplit("/", 1)[-1]
        body = json.dumps({"id": ident, "name": "item " + ident, "price": 12.5}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as handle:
    handle.write(str(server.server_address[1]))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
