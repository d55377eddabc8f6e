#!/usr/bin/env python3
"""The wire peers of bench/wire.sh: builds insertAll request bodies from NDJSON rows the way
conveyor does (`{"rows":[{"insertId":…,"json":ROW},…]}`, BATCH rows each) and either writes them
as files with a curl config posting them all over one connection, or posts them itself with
http.client over one keep-alive connection, timing only the posting.

usage: wire_peer.py bodies ROWS.ndjson BATCH URL DIR    writes DIR/body-N.json and DIR/curl.conf
       wire_peer.py post ROWS.ndjson BATCH HOST:PORT PATH
                                                        prints "wall_s cpu_s requests"
"""
import http.client
import sys
import time


def bodies(path: str, batch: int):
    head = b'{"kind":"bigquery#tableDataInsertAllRequest","skipInvalidRows":false,"ignoreUnknownValues":false,"rows":['
    rows = []
    with open(path, "rb") as handle:
        for number, line in enumerate(handle):
            rows.append(b'{"insertId":"bench-%d","json":%s}' % (number, line.rstrip(b"\n")))
            if len(rows) == batch:
                yield head + b",".join(rows) + b"]}"
                rows = []
    if rows:
        yield head + b",".join(rows) + b"]}"


def write_bodies(path: str, batch: int, url: str, directory: str) -> None:
    with open(f"{directory}/curl.conf", "w") as conf:
        for number, body in enumerate(bodies(path, batch)):
            name = f"{directory}/body-{number}.json"
            with open(name, "wb") as out:
                out.write(body)
            if number:
                conf.write("next\n")
            conf.write(f'url = "{url}"\nrequest = "POST"\nheader = "Content-Type: application/json"\n'
                       f'data-binary = "@{name}"\nsilent\noutput = "/dev/null"\nfail\n')


def post(path: str, batch: int, address: str, target: str) -> None:
    payloads = list(bodies(path, batch))
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port))
    headers = {"Content-Type": "application/json"}
    wall, cpu = time.perf_counter(), time.process_time()
    for payload in payloads:
        connection.request("POST", target, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"HTTP {response.status} from {address}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{wall:.3f} {cpu:.3f} {len(payloads)}")


if __name__ == "__main__":
    if sys.argv[1] == "bodies":
        write_bodies(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        post(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
