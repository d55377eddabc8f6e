#!/usr/bin/env bash
# Regenerates Sources/BigQueryStorage/*.pb.swift and *.grpc.swift (the BigQuery Storage Write
# API messages and client) from the descriptors carried by the official Python package.
# Needs: protoc (apt-get install protobuf-compiler) and the .venv-bq virtualenv (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=${CODEGEN_SCRATCH:-$root/.build-codegen}
python=${CONVEYOR_PYTHON:-$root/.venv-bq/bin/python}
out=$root/Sources/BigQueryStorage

# The protoc plugins, built once from the pinned package versions (or taken from CODEGEN_BIN).
bin=${CODEGEN_BIN:-}
if [ -z "$bin" ]; then
    swift build --scratch-path "$scratch" --product protoc-gen-swift >&2
    swift build --scratch-path "$scratch" --product protoc-gen-grpc-swift-2 >&2
    bin=$(swift build --scratch-path "$scratch" --show-bin-path)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" scripts/storage_protos.py "$work/storage.pb" > "$work/files"
files=$(grep -v '^google/protobuf/' "$work/files")

rm -f "$out"/*.pb.swift "$out"/*.grpc.swift
plugins=(--descriptor_set_in="$work/storage.pb"
         --plugin=protoc-gen-swift="$bin/protoc-gen-swift"
         --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2")
# Messages of every file; the client only for the service in storage.proto.
# shellcheck disable=SC2086
protoc "${plugins[@]}" --swift_out="$work" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores $files
protoc "${plugins[@]}" --grpc-swift_out="$work" \
    --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores,Server=false,Client=true \
    google/cloud/bigquery/storage/v1/storage.proto
cp "$work"/*.swift "$out"/
ls "$out"
