#!/usr/bin/env python3
"""A local REST API for tests and demos of the http connector: httpbin, plus a paginated listing.

Serves, on one loopback port (threaded, HTTP/1.1 keep-alive):

  /pages/link?page=P&per_page=K     a JSON array; `Link: </pages/link?page=P+1&per_page=K>; rel="next"`
                                    while items remain
  /pages/next-url?cursor=C          {"items": [...], "next": "http://HOST/pages/next-url?cursor=C2" or null}
  /pages/token?pageToken=T          {"data": {"items": [...]}, "nextPageToken": "..."} (no token on the last page)
  /pages/offset?offset=O&limit=L    {"items": [...]} (fewer than L items on the last page)
  /pages/page?page=P                {"results": [...]} with 100 a page from page 1; empty past the end
  /pages/elsewhere                  [1], with a Link rel="next" to another port (must not be followed)
  /pages/stats                      {"requests": N}: requests to /pages so far
  /items/ID                         {"id": ID} (small resource for benchmarks)
  /raw/...                          {"raw": the request target exactly as sent, still percent-encoded}
  /flaky/NAME?fail=K&status=S&after=A   the first K requests for NAME answer S (503) with
                                    `Retry-After: A` (1); then {"name": NAME, "attempts": K+1}
  everything else                   httpbin (https://httpbin.org's endpoints: /basic-auth, /bearer,
                                    /status, /delay, /gzip, /stream, /headers, /anything, ...)

The listings hold --items items {"id": i, "name": "item i"} (default 250), each with a member
"pad" of --pad characters when given; pages hold 100 unless asked. With --tls-cert and --tls-key
the server speaks HTTPS only.

Usage:
  python scripts/http_test_api.py --port 0 --port-file FILE [--items N] [--pad N] [--tls-cert F --tls-key F]

The port actually used is written to FILE once the server accepts connections.
"""
import argparse
import json
import logging
import os
import threading

from werkzeug.serving import make_server, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

logging.getLogger("werkzeug").setLevel(logging.ERROR)


class Items:
    """The listing's items, made when a page asks for them (a listing of millions costs no memory)."""

    def __init__(self, count, pad):
        self.count = count
        self.pad = "x" * pad

    def __len__(self):
        return self.count

    def item(self, i):
        found = {"id": i, "name": "item %d" % i}
        if self.pad:
            found["pad"] = self.pad
        return found

    def __getitem__(self, window):
        start, stop, _ = window.indices(self.count)
        return [self.item(i + 1) for i in range(start, stop)]


class State:
    def __init__(self, count, pad=0):
        self.items = Items(count, pad)
        self.requests = 0
        self.flaky = {}
        self.lock = threading.Lock()


def number(request, name, default):
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def json_response(body, status=200, headers=None):
    return Response(json.dumps(body), status=status, headers=headers or {}, mimetype="application/json")


def pages(request, state):
    route = request.path[len("/pages/"):]
    items = state.items
    if route == "stats":
        return json_response({"requests": state.requests})
    with state.lock:
        state.requests += 1
    if route == "link":
        page, size = number(request, "page", 1), number(request, "per_page", 100)
        chunk = items[(page - 1) * size: page * size]
        headers = {}
        if page * size < len(items):
            headers["Link"] = '</pages/link?page=%d&per_page=%d>; rel="next", </pages/link?page=1&per_page=%d>; rel="first"' % (
                page + 1, size, size)
        return json_response(chunk, headers=headers)
    if route == "next-url":
        cursor = number(request, "cursor", 0)
        chunk = items[cursor: cursor + 100]
        following = cursor + 100
        link = "http://%s/pages/next-url?cursor=%d" % (request.host, following) if following < len(items) else None
        return json_response({"items": chunk, "next": link})
    if route == "token":
        token = request.args.get("pageToken", "")
        start = int(token[len("tok-"):]) if token.startswith("tok-") else 0
        chunk = items[start: start + 100]
        body = {"data": {"items": chunk}}
        if start + 100 < len(items):
            body["nextPageToken"] = "tok-%d" % (start + 100)
        return json_response(body)
    if route == "offset":
        offset, limit = number(request, "offset", 0), number(request, "limit", 100)
        return json_response({"items": items[offset: offset + limit]})
    if route == "page":
        page = number(request, "page", 1)
        return json_response({"results": items[(page - 1) * 100: page * 100]})
    if route == "elsewhere":
        return json_response([1], headers={"Link": '<http://127.0.0.1:1/pages/elsewhere>; rel="next"'})
    return json_response({"error": "no such listing"}, status=404)


def flaky(request, state):
    """The first `fail` requests for a name answer `status` with `Retry-After: after`; later ones 200."""
    name = request.path[len("/flaky/"):]
    with state.lock:
        seen = state.flaky.get(name, 0) + 1
        state.flaky[name] = seen
    if seen <= number(request, "fail", 2):
        return json_response({"error": "try later"}, status=number(request, "status", 503),
                             headers={"Retry-After": request.args.get("after", "1")})
    return json_response({"name": name, "attempts": seen})


def make_app(state):
    from httpbin import app as httpbin_app

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/pages/"):
            return pages(Request(environ), state)(environ, start_response)
        if path.startswith("/flaky/"):
            return flaky(Request(environ), state)(environ, start_response)
        if path.startswith("/raw/"):
            return json_response({"raw": environ.get("REQUEST_URI") or environ.get("RAW_URI")})(environ, start_response)
        if path.startswith("/items/"):
            return json_response({"id": path[len("/items/"):]})(environ, start_response)
        return httpbin_app(environ, start_response)
    return app


class KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--pad", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    server = make_server("127.0.0.1", args.port, make_app(State(args.items, args.pad)), threaded=True,
                         request_handler=KeepAliveHandler, ssl_context=tls)
    port = server.socket.getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    else:
        print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
