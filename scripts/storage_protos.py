"""Writes a FileDescriptorSet with the BigQuery Storage Write API (v1) for protoc.

The descriptors come from the official `google-cloud-bigquery-storage` package (which carries
them compiled, without the service): the write messages are kept with every type they reach,
everything else is pruned, and the `BigQueryWrite` service is declared with the write methods.
Usage: python storage_protos.py OUT.pb
"""
import sys

from google.cloud.bigquery_storage_v1 import types
from google.protobuf import descriptor_pb2
from google.rpc import status_pb2

PACKAGE = "google.cloud.bigquery.storage.v1"
ROOTS = [
    "CreateWriteStreamRequest", "AppendRowsRequest", "AppendRowsResponse", "GetWriteStreamRequest",
    "FinalizeWriteStreamRequest", "FinalizeWriteStreamResponse", "StorageError", "RowError",
]
METHODS = [  # name, input, output, client streaming, server streaming
    ("CreateWriteStream", "CreateWriteStreamRequest", "WriteStream", False, False),
    ("AppendRows", "AppendRowsRequest", "AppendRowsResponse", True, True),
    ("GetWriteStream", "GetWriteStreamRequest", "WriteStream", False, False),
    ("FinalizeWriteStream", "FinalizeWriteStreamRequest", "FinalizeWriteStreamResponse", False, False),
]


def proto_of(descriptor):
    proto = descriptor_pb2.FileDescriptorProto()
    descriptor.CopyToProto(proto)
    return proto


def collect(files):
    """All files reachable from storage.proto, by name, in dependency order."""
    ordered, seen = [], set()

    def visit(descriptor):
        if descriptor.name in seen:
            return
        seen.add(descriptor.name)
        for dependency in descriptor.dependencies:
            visit(dependency)
        ordered.append(descriptor)

    for descriptor in files:
        visit(descriptor)
    return ordered


def canonical(name):
    return name.replace("google/cloud/bigquery_storage_v1/types/", "google/cloud/bigquery/storage/v1/")


def main(out):
    storage = types.AppendRowsRequest.pb().DESCRIPTOR.file
    files = collect([storage, status_pb2.DESCRIPTOR])
    protos = {canonical(f.name): proto_of(f) for f in files}
    def restore_names(message):
        # proto-plus renames fields that clash with Python names (`type` -> `type_`).
        for field in message.field:
            if field.name.endswith("_"):
                field.name = field.name[:-1]
        for nested in message.nested_type:
            restore_names(nested)

    for proto in protos.values():
        proto.name = canonical(proto.name)
        proto.dependency[:] = [canonical(d) for d in proto.dependency]
        if proto.package == PACKAGE:
            for message in proto.message_type:
                restore_names(message)

    # Index every top-level message and enum of the package by full name.
    index = {}
    for proto in protos.values():
        if proto.package != PACKAGE:
            continue
        for message in proto.message_type:
            index["." + PACKAGE + "." + message.name] = (proto.name, message)
        for enum in proto.enum_type:
            index["." + PACKAGE + "." + enum.name] = (proto.name, enum)

    keep, pending = set(), ["." + PACKAGE + "." + n for n in ROOTS + ["WriteStream"]]

    def references(message):
        for field in message.field:
            if field.type_name:
                yield field.type_name
        for nested in message.nested_type:
            yield from references(nested)

    while pending:
        name = pending.pop()
        top = None
        for candidate in index:
            if name == candidate or name.startswith(candidate + "."):
                top = candidate
        if top is None or top in keep:
            continue
        keep.add(top)
        _, item = index[top]
        if isinstance(item, descriptor_pb2.DescriptorProto):
            pending.extend(references(item))

    for proto in protos.values():
        if proto.package != PACKAGE:
            continue
        messages = [m for m in proto.message_type if "." + PACKAGE + "." + m.name in keep]
        enums = [e for e in proto.enum_type if "." + PACKAGE + "." + e.name in keep]
        del proto.message_type[:]
        proto.message_type.extend(messages)
        del proto.enum_type[:]
        proto.enum_type.extend(enums)

    storage_proto = protos["google/cloud/bigquery/storage/v1/storage.proto"]
    service = storage_proto.service.add(name="BigQueryWrite")
    for name, request, response, client_streaming, server_streaming in METHODS:
        service.method.add(name=name, input_type="." + PACKAGE + "." + request,
                           output_type="." + PACKAGE + "." + response,
                           client_streaming=client_streaming, server_streaming=server_streaming)

    # Drop files whose package types are all pruned, and dependencies nothing uses any more.
    def used_files(proto):
        names = set()
        for message in proto.message_type:
            for type_name in references(message):
                names.add(type_name)
        for service in proto.service:
            for method in service.method:
                names.update([method.input_type, method.output_type])
        return names

    live = {name for name, proto in protos.items()
            if proto.package != PACKAGE or proto.message_type or proto.enum_type or proto.service}
    result = descriptor_pb2.FileDescriptorSet()
    for name, proto in protos.items():
        if name not in live:
            continue
        needed = used_files(proto)
        dependencies = []
        for dependency in proto.dependency:
            other = protos[dependency]
            prefix = "." + other.package + "."
            declared = {prefix + m.name for m in other.message_type} | {prefix + e.name for e in other.enum_type}
            if dependency in live and any(n == d or n.startswith(d + ".") for n in needed for d in declared):
                dependencies.append(dependency)
        del proto.dependency[:]
        proto.dependency.extend(dependencies)
        del proto.public_dependency[:]
        del proto.weak_dependency[:]
        result.file.append(proto)
    with open(out, "wb") as handle:
        handle.write(result.SerializeToString())
    for proto in result.file:
        print(proto.name)


if __name__ == "__main__":
    main(sys.argv[1])
