import BigQueryStorage
import Foundation
import GRPCCore
import SwiftProtobuf

/// A batch's encoded rows by position: each row's protobuf message, one after another in one
/// buffer. Rows encoded again (after the table's schema changed) go at its end.
struct EncodedRows: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Per position, where its message starts in `bytes` (-1: none) and ends.
    private var starts: [Int]
    private var ends: [Int]

    init(count: Int) {
        starts = Array(repeating: -1, count: count)
        ends = Array(repeating: 0, count: count)
    }

    var count: Int { starts.count }

    /// The row at `position` was encoded (not failed, nor dealt with by an earlier run).
    func has(_ position: Int) -> Bool { starts[position] >= 0 }

    /// The size of the row's message (0 when it has none).
    func size(_ position: Int) -> Int { starts[position] >= 0 ? ends[position] - starts[position] : 0 }

    /// The row's message (empty when it has none).
    func message(_ position: Int) -> ArraySlice<UInt8> {
        starts[position] >= 0 ? bytes[starts[position]..<ends[position]] : []
    }

    /// Sets the message of the row at `position`.
    mutating func set(_ position: Int, _ message: [UInt8]) {
        starts[position] = bytes.count
        bytes += message
        ends[position] = bytes.count
    }

    /// Sets the messages written one after another into `writer`: `slices` tell whose is where.
    mutating func set(_ slices: [(position: Int, range: Range<Int>)], from writer: borrowing ProtoWriter) {
        let base = bytes.count
        writer.withBytes { bytes.append(contentsOf: $0) }
        for (position, range) in slices {
            starts[position] = base + range.lowerBound
            ends[position] = base + range.upperBound
        }
    }
}

/// An `AppendRows` request whose rows are already encoded. ``AppendRequestSerializer`` writes it
/// as the `AppendRowsRequest` it stands for, copying each row's message once, without a
/// `ProtoRows` message of one `Data` a row.
struct AppendRequest: Sendable {
    /// The request's `write_stream` and `offset` (its rows are not set here).
    var header = Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest()
    /// The row descriptor, on the first request of a connection.
    var schema: Google_Cloud_Bigquery_Storage_V1_ProtoSchema?
    var rows: EncodedRows
    var positions: [Int]
}

/// Writes an ``AppendRequest`` as protobuf: the header's fields, then `proto_rows` (field 4) with
/// the writer schema (1) and the rows (2: `ProtoRows`, one `serialized_rows` entry, field 1, a row).
struct AppendRequestSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: AppendRequest) throws -> Bytes {
        let header: [UInt8] = try message.header.serializedBytes()
        let schema: [UInt8]? = try message.schema.map { try $0.serializedBytes() }
        var rowsLength = 0
        for position in message.positions {
            let size = message.rows.size(position)
            rowsLength += 1 + Self.varintSize(size) + size
        }
        var dataLength = 1 + Self.varintSize(rowsLength) + rowsLength
        if let schema { dataLength += 1 + Self.varintSize(schema.count) + schema.count }
        let total = header.count + 1 + Self.varintSize(dataLength) + dataLength
        var out = Bytes(repeating: 0, count: total)
        let written = out.withUnsafeMutableBytes { raw -> Int in
            var writer = RawWriter(raw)
            writer.append(header)
            writer.byte(4 << 3 | 2)
            writer.varint(dataLength)
            if let schema {
                writer.byte(1 << 3 | 2)
                writer.varint(schema.count)
                writer.append(schema)
            }
            writer.byte(2 << 3 | 2)
            writer.varint(rowsLength)
            message.rows.bytes.withUnsafeBufferPointer { bytes in
                for position in message.positions {
                    let row = message.rows.message(position)
                    writer.byte(1 << 3 | 2)
                    writer.varint(row.count)
                    writer.append(UnsafeBufferPointer(rebasing: bytes[row.startIndex..<row.endIndex]))
                }
            }
            return writer.count
        }
        guard written == total else {
            throw RPCError(code: .internalError, message: "an AppendRows request came out at \(written) bytes, not \(total)")
        }
        return out
    }

    static func varintSize(_ value: Int) -> Int {
        var size = 1
        var value = UInt64(value)
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    /// Stores into memory of a size computed beforehand.
    private struct RawWriter {
        let raw: UnsafeMutableRawBufferPointer
        var count = 0

        init(_ raw: UnsafeMutableRawBufferPointer) { self.raw = raw }

        mutating func byte(_ value: UInt8) {
            raw[count] = value
            count += 1
        }

        mutating func varint(_ value: Int) {
            var value = UInt64(value)
            while value >= 0x80 {
                byte(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            byte(UInt8(truncatingIfNeeded: value))
        }

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard !bytes.isEmpty else { return }
            UnsafeMutableRawBufferPointer(rebasing: raw[count..<(count + bytes.count)]).copyMemory(from: UnsafeRawBufferPointer(bytes))
            count += bytes.count
        }

        mutating func append(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { append($0) }
        }
    }
}
