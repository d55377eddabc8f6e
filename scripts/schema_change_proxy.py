#!/usr/bin/env python3
"""A Storage Write API proxy that changes the table under a running writer, for the tests.

    schema_change_proxy.py --target HOST:PORT --table DATASET.TABLE --add-column NAME:TYPE
                           [--refusals N] [--stats FILE] [--port-file FILE]

Listens on 127.0.0.1 (plaintext gRPC, a free port written to --port-file) and forwards every call
of google.cloud.bigquery.storage.v1.BigQueryWrite to --target, bytes as they are.

The first --refusals AppendRows streams (default 1) are refused: once the stream's first request
has arrived, the first refusal adds the column NAME of TYPE to the table through the REST API at
BIGQUERY_EMULATOR_HOST (`ALTER TABLE … ADD COLUMN`) (someone changing the table while the writer runs), then each refusal ends
its stream with INVALID_ARGUMENT and a message about the schema, as BigQuery answers a writer
whose schema no longer matches the table (the emulator itself accepts any writer schema). Later
streams pass untouched. --stats FILE holds the counts so far: `streams`, `refused`, `forwarded`.
"""
import argparse
import json
import os
import sys
import threading
from concurrent import futures

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bq import PROJECT, client  # noqa: E402
from google.cloud import bigquery  # noqa: E402

SERVICE = "/google.cloud.bigquery.storage.v1.BigQueryWrite/"
# AppendRows requests reach 10 MB; gRPC's default limit is 4 MiB.
LIMITS = [("grpc.max_send_message_length", 32 << 20), ("grpc.max_receive_message_length", 32 << 20)]


class Proxy(grpc.GenericRpcHandler):
    def __init__(self, args):
        self.args = args
        self.channel = grpc.insecure_channel(args.target, options=LIMITS)
        self.lock = threading.Lock()
        self.counts = {"streams": 0, "refused": 0, "forwarded": 0}
        self.column_added = False

    def save(self):
        if self.args.stats:
            with open(self.args.stats + ".tmp", "w") as handle:
                json.dump(self.counts, handle)
            os.replace(self.args.stats + ".tmp", self.args.stats)

    def service(self, details):
        if not details.method.startswith(SERVICE):
            return None
        if details.method.endswith("/AppendRows"):
            return grpc.stream_stream_rpc_method_handler(lambda requests, context: self.append(details.method, requests, context))
        return grpc.unary_unary_rpc_method_handler(lambda request, context: self.unary(details.method, request, context))

    @staticmethod
    def metadata(context):
        return [(key, value) for key, value in context.invocation_metadata()
                if not key.startswith(":") and key not in ("user-agent", "te", "content-type")
                and not key.startswith("grpc-")]

    def unary(self, method, request, context):
        try:
            return self.channel.unary_unary(method)(request, metadata=self.metadata(context), timeout=30)
        except grpc.RpcError as error:
            context.abort(error.code(), error.details() or "")

    def add_column(self):
        name, kind = self.args.add_column.split(":", 1)
        bq = client()
        # DDL adds the column to the table's data; where the schema read back lacks it (this
        # emulator), tables.patch adds it there too.
        bq.query(f"ALTER TABLE `{PROJECT}.{self.args.table}` ADD COLUMN IF NOT EXISTS `{name}` {kind}").result()
        table = bq.get_table(f"{PROJECT}.{self.args.table}")
        if all(field.name != name for field in table.schema):
            table.schema = list(table.schema) + [bigquery.SchemaField(name, kind)]
            bq.update_table(table, ["schema"])

    def append(self, method, requests, context):
        with self.lock:
            self.counts["streams"] += 1
            refuse = self.counts["refused"] < self.args.refusals
            if refuse:
                self.counts["refused"] += 1
            else:
                self.counts["forwarded"] += 1
            self.save()
        if refuse:
            next(requests, None)
            with self.lock:
                if not self.column_added:
                    self.add_column()
                    self.column_added = True
            name = self.args.add_column.split(":", 1)[0]
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"Input schema does not match the table schema: the table's column '{name}' "
                          "is not in the writer schema; reload the table schema and send again")
        try:
            for response in self.channel.stream_stream(method)(requests, metadata=self.metadata(context)):
                yield response
        except grpc.RpcError as error:
            context.abort(error.code(), error.details() or "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--add-column", required=True)
    parser.add_argument("--refusals", type=int, default=1)
    parser.add_argument("--stats")
    parser.add_argument("--port-file")
    args = parser.parse_args()
    proxy = Proxy(args)
    proxy.save()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), handlers=[proxy], options=LIMITS)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"PORT {port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
