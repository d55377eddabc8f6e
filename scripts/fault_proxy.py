#!/usr/bin/env python3
"""A fault-injecting proxy for the reliability tests, on loopback only.

    fault_proxy.py --target HOST:PORT [--mode http|tcp|silent] [--rate 0.2] [--seed 1]
                   [--faults 500,503,429,reset,stall,truncate] [--stall SECONDS]
                   [--hold-after BYTES] [--tls-cert FILE --tls-key FILE]
                   [--stats FILE] [--port-file FILE]

Listens on 127.0.0.1 (a free port, printed as `PORT <n>` on stdout and written to --port-file)
and forwards to --target. A seeded random generator decides each fault, so a run is reproducible
for a given sequence of requests.

http mode (HTTP/1.1, e.g. the BigQuery REST API): each request is, with probability --rate,
answered by one fault drawn from --faults:
  500, 503   an error response with a Google-style JSON body; the request is not forwarded
  429        `429 Too Many Requests` with `Retry-After: 1`; not forwarded
  reset      the connection is reset (RST); half the time after the request was forwarded and
             answered upstream (the response is lost: the client cannot know it landed)
  stall      the request is forwarded, the response is held back for --stall seconds, then the
             connection is closed (longer than the client's request timeout)
  truncate   the request is forwarded and the response cut in the middle of its body
tcp mode (any protocol, e.g. gRPC over HTTP/2 plaintext): each 64 KiB block the client starts
(the first byte starts the first) draws, with probability --rate, one fault among reset and
stall (the block never reaches the server; the connection is reset, or held for --stall seconds
and closed) and truncate (the block is forwarded, the server's next bytes are cut short).
With --tls-cert FILE --tls-key FILE the proxy listens with TLS (ALPN h2) and forwards the decrypted
bytes: a TLS endpoint in front of a plaintext server (tcp mode). With --hold-after BYTES (tcp
mode), once in the proxy's life: the first connection whose answers
pass BYTES (a stream well open, requests in flight) gets no more of them; it is held for --stall
seconds and closed (counted as `hold`). Connections after it pass untouched.

silent mode: every connection is accepted and then neither read nor answered (the target is not
contacted) until --stall seconds have passed: a far end that stopped working but whose kernel
still takes connections, so the client's writes fill the socket's buffers and stay there.

--stats writes a JSON object of counts (`requests`, `connections`, and one per fault) after
every change. SIGTERM stops the proxy.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import socket
import ssl
import struct
import sys

HTTP_FAULTS = ["500", "503", "429", "reset", "stall", "truncate"]
TCP_FAULTS = ["reset", "stall", "truncate"]
TCP_BLOCK = 64 * 1024


class Proxy:
    def __init__(self, args):
        self.target_host, port = args.target.rsplit(":", 1)
        self.target_port = int(port)
        self.rate = args.rate
        self.random = random.Random(args.seed)
        self.faults = [f for f in args.faults.split(",") if f] or (HTTP_FAULTS if args.mode == "http" else TCP_FAULTS)
        self.stall = args.stall
        self.stats_path = args.stats
        self.stats = {"requests": 0, "connections": 0}
        self.hold_after = args.hold_after
        self.held = False
        self.tasks = set()

    def draw(self):
        """A fault name, or None for a clean pass."""
        if self.random.random() < self.rate:
            return self.random.choice(self.faults)
        return None

    def count(self, key):
        self.stats[key] = self.stats.get(key, 0) + 1
        if self.stats_path:
            with open(self.stats_path + ".tmp", "w") as handle:
                json.dump(self.stats, handle)
            os.replace(self.stats_path + ".tmp", self.stats_path)

    # --- http mode -------------------------------------------------------------------------

    async def serve_http(self, reader, writer):
        self.count("connections")
        try:
            while True:
                request = await read_message(reader, is_request=True)
                if request is None:
                    return
                self.count("requests")
                fault = self.draw()
                if fault:
                    self.count(fault)
                if fault in ("500", "503", "429"):
                    writer.write(error_response(int(fault)))
                    await writer.drain()
                    continue
                if fault == "reset" and self.random.random() < 0.5:
                    return reset(writer)
                response = await self.forward(request)
                if fault == "reset":
                    return reset(writer)
                if fault == "stall":
                    await asyncio.sleep(self.stall)
                    return
                if fault == "truncate":
                    head, _, body = response.partition(b"\r\n\r\n")
                    writer.write(head + b"\r\n\r\n" + body[: max(1, len(body) // 2)])
                    await writer.drain()
                    return reset(writer)
                writer.write(response)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            close(writer)

    async def forward(self, request):
        upstream_reader, upstream_writer = await asyncio.open_connection(self.target_host, self.target_port)
        try:
            upstream_writer.write(request)
            await upstream_writer.drain()
            response = await read_message(upstream_reader, is_request=False)
            if response is None:
                raise ConnectionError("the upstream closed without answering")
            return response
        finally:
            close(upstream_writer)

    # --- silent mode -----------------------------------------------------------------------

    async def serve_silent(self, reader, writer):
        self.count("connections")
        # Nothing is read: the client's bytes stay in the kernel's buffers, then fill them.
        writer.transport.pause_reading()
        await asyncio.sleep(self.stall)
        close(writer)

    # --- tcp mode --------------------------------------------------------------------------

    async def serve_tcp(self, reader, writer):
        self.count("connections")
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            return reset(writer)
        fault = asyncio.Event()
        state = {"kind": None}

        async def upward():
            sent = 0
            while not fault.is_set():
                data = await reader.read(65536)
                if not data:
                    break
                # One draw per 64 KiB block the client starts (the first byte starts the first).
                before, sent = sent, sent + len(data)
                for _ in range(-(-sent // TCP_BLOCK) - -(-before // TCP_BLOCK)):
                    kind = self.draw()
                    if kind:
                        self.count(kind)
                        state["kind"] = kind
                        break
                if state["kind"] in ("reset", "stall"):
                    # The block never reaches the server.
                    break
                upstream_writer.write(data)
                await upstream_writer.drain()
                if state["kind"]:
                    break
            fault.set()

        async def downward():
            received = 0
            while True:
                data = await upstream_reader.read(65536)
                if not data:
                    break
                received += len(data)
                if self.hold_after is not None and not self.held and received > self.hold_after:
                    # The answers stop here: the client's requests wait until it gives up.
                    self.held = True
                    self.count("hold")
                    state["kind"] = "stall"
                    break
                if fault.is_set():
                    if state["kind"] == "truncate":
                        writer.write(data[: len(data) // 2])
                        await writer.drain()
                    break
                writer.write(data)
                await writer.drain()
            fault.set()

        tasks = [asyncio.ensure_future(upward()), asyncio.ensure_future(downward())]
        try:
            await fault.wait()
            if state["kind"] == "stall":
                for task in tasks:
                    task.cancel()
                await asyncio.sleep(self.stall)
            elif state["kind"] == "truncate":
                tasks[0].cancel()
                try:
                    await asyncio.wait_for(tasks[1], 5)
                except (asyncio.TimeoutError, Exception):
                    pass
        finally:
            for task in tasks:
                task.cancel()
            if state["kind"] == "reset":
                reset(writer)
                reset(upstream_writer)
            else:
                close(writer)
                close(upstream_writer)


async def read_message(reader, is_request):
    """One HTTP/1.1 message (head and body, raw bytes), or None at a clean end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return head + await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            body += size_line
            size = int(size_line.split(b";")[0].strip(), 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                return head + body
    if is_request or lines[0].split(" ")[1:2] in (["204"], ["304"]):
        return head
    return head + await reader.read()


def error_response(status):
    reason = {500: "Internal Server Error", 503: "Service Unavailable", 429: "Too Many Requests"}[status]
    google = {500: "backendError", 503: "backendError", 429: "rateLimitExceeded"}[status]
    body = json.dumps({"error": {"code": status, "message": f"injected {status}",
                                 "errors": [{"reason": google, "message": f"injected {status}"}]}}).encode()
    extra = "Retry-After: 1\r\n" if status == 429 else ""
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def reset(writer):
    """Closes with RST (SO_LINGER 0)."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


def close(writer):
    try:
        writer.close()
    except Exception:
        pass


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--mode", choices=["http", "tcp", "silent"], default="http")
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default="")
    parser.add_argument("--stall", type=float, default=10)
    parser.add_argument("--hold-after", type=int)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--stats")
    parser.add_argument("--port-file")
    args = parser.parse_args()
    proxy = Proxy(args)
    handler = {"http": proxy.serve_http, "tcp": proxy.serve_tcp, "silent": proxy.serve_silent}[args.mode]
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        context.set_alpn_protocols(["h2"])
    server = await asyncio.start_server(handler, "127.0.0.1", 0, limit=64 * 1024 * 1024, ssl=context)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"PORT {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
