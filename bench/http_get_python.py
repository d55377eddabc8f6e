#!/usr/bin/env python3
"""GETs BASE/items/1..N with `requests` (a Session per thread) or `httpx` (one Client), THREADS
requests in flight, keep-alive; parses each JSON body. Prints the number of bodies read.

usage: http_get_python.py requests|httpx BASE N THREADS
"""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

library, base, count, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
local = threading.local()

if library == "requests":
    import requests

    def fetch(ident):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.get("%s/items/%d" % (base, ident))
        response.raise_for_status()
        return response.json()["id"]
else:
    import httpx
    client = httpx.Client(limits=httpx.Limits(max_connections=threads, max_keepalive_connections=threads))

    def fetch(ident):
        response = client.get("%s/items/%d" % (base, ident))
        response.raise_for_status()
        return response.json()["id"]

with ThreadPoolExecutor(max_workers=threads) as pool:
    read = sum(1 for _ in pool.map(fetch, range(1, count + 1), chunksize=64))
print(read)
