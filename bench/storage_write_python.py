"""The official Python client's side of bench/storage-write.sh: reads the same NDJSON rows,
encodes them as proto rows and appends them to the table's _default stream in batches of 10,000.

usage: storage_write_python.py ROWS.ndjson PROJECT.DATASET.TABLE
"""
import datetime
import json
import os
import sys

import grpc
from google.cloud.bigquery_storage_v1 import BigQueryWriteClient, types
from google.cloud.bigquery_storage_v1.services.big_query_write.transports import BigQueryWriteGrpcTransport
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

BATCH = 10_000


def row_class():
    proto = descriptor_pb2.DescriptorProto(name="Row")
    for number, (name, kind) in enumerate([("id", 3), ("name", 9), ("amount", 9), ("ts", 3), ("pad", 9)], 1):
        proto.field.add(name=name, number=number, type=kind, label=1)
    file = descriptor_pb2.FileDescriptorProto(name="bench_row.proto", package="bench")
    file.message_type.add().CopyFrom(proto)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return proto, message_factory.GetMessageClass(pool.FindMessageTypeByName("bench.Row"))


def micros(text):
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def main(path, table):
    project, dataset, name = table.split(".")
    channel = grpc.insecure_channel(os.environ["BIGQUERY_STORAGE_EMULATOR_HOST"])
    client = BigQueryWriteClient(transport=BigQueryWriteGrpcTransport(channel=channel))
    stream = f"projects/{project}/datasets/{dataset}/tables/{name}/streams/_default"
    descriptor, Row = row_class()

    def requests():
        first = True
        batch = []
        with open(path) as handle:
            for line in handle:
                value = json.loads(line)
                batch.append(Row(id=value["id"], name=value["name"], amount=value["amount"],
                                 ts=micros(value["ts"]), pad=value["pad"]).SerializeToString())
                if len(batch) == BATCH:
                    yield make(batch, first)
                    first = False
                    batch = []
        if batch:
            yield make(batch, first)

    def make(rows, first):
        data = types.AppendRowsRequest.ProtoData(rows=types.ProtoRows(serialized_rows=rows))
        if first:
            data.writer_schema = types.ProtoSchema(proto_descriptor=descriptor)
        return types.AppendRowsRequest(write_stream=stream, proto_rows=data)

    for response in client.append_rows(requests()):
        if response.error.code:
            sys.exit(f"append failed: {response.error.message}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
