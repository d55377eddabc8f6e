import BigQueryStorage
import Foundation
import GRPCCore
import SwiftProtobuf

/// A batch's encoded rows by position: each row's protobuf message, in the buffer the fast path
/// wrote (taken over as it is, not copied) or, for a row encoded on its own or again (after the
/// table's schema changed), at the end of a buffer of this value's own.
struct EncodedRows: Sendable {
    /// Where a position's message lies: `buffer` indexes ``buffers``, or is ``none`` or ``own``.
    private struct Slot {
        var buffer = EncodedRows.none
        var start = 0
        var end = 0
    }

    /// The row has no message.
    private static let none = -1
    /// The message is in ``bytes``.
    private static let own = -2

    private var buffers: [RowBuffer] = []
    /// The messages of rows encoded one at a time, one after another.
    private var bytes: [UInt8] = []
    private var slots: [Slot]

    init(count: Int) {
        slots = Array(repeating: Slot(), count: count)
    }

    var count: Int { slots.count }

    /// The row at `position` was encoded (not failed, nor dealt with by an earlier run).
    func has(_ position: Int) -> Bool { slots[position].buffer != Self.none }

    /// The size of the row's message (0 when it has none).
    func size(_ position: Int) -> Int { slots[position].end - slots[position].start }

    /// The row's message, copied (empty when it has none).
    func message(_ position: Int) -> [UInt8] {
        withMessage(position) { Array($0) }
    }

    /// Calls `body` with the row's message (empty when it has none).
    func withMessage<R>(_ position: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let slot = slots[position]
        switch slot.buffer {
        case Self.none: return try body(UnsafeBufferPointer(start: nil, count: 0))
        case Self.own: return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[slot.start..<slot.end])) }
        default: return try buffers[slot.buffer].withBytes { try body(UnsafeBufferPointer(rebasing: $0[slot.start..<slot.end])) }
        }
    }

    /// Sets the message of the row at `position`.
    mutating func set(_ position: Int, _ message: [UInt8]) {
        slots[position] = Slot(buffer: Self.own, start: bytes.count, end: bytes.count + message.count)
        bytes += message
    }

    /// The row at `position` has no message any more (encoding it again failed).
    mutating func clear(_ position: Int) {
        slots[position] = Slot()
    }

    /// Sets the messages written one after another into `writer`, whose buffer is taken over:
    /// `slices` tell whose is where.
    mutating func set(_ slices: [(position: Int, range: Range<Int>)], from writer: consuming ProtoWriter) {
        buffers.append(writer.takeBuffer())
        let buffer = buffers.count - 1
        for (position, range) in slices {
            slots[position] = Slot(buffer: buffer, start: range.lowerBound, end: range.upperBound)
        }
    }
}

/// Bytes written once and then only read: a ``ProtoWriter``'s buffer taken over, shared by the
/// copies of the ``EncodedRows`` that hold it and freed with the last.
final class RowBuffer: @unchecked Sendable {
    // Never written after `init`: reading it from any thread is safe.
    private let base: UnsafeMutablePointer<UInt8>?
    let count: Int

    /// Takes ownership of `count` bytes at `base`, allocated with `malloc`.
    init(taking base: UnsafeMutablePointer<UInt8>?, count: Int) {
        self.base = base
        self.count = count
    }

    deinit { free(base) }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
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
        // Nested messages are written after their lengths: those are added up first.
        var rowsLength = 0
        for position in message.positions { rowsLength += Self.fieldSize(message.rows.size(position)) }
        var dataLength = Self.fieldSize(rowsLength)
        if let schema { dataLength += Self.fieldSize(schema.count) }
        let total = header.count + Self.fieldSize(dataLength)
        // Written in place into the transport's bytes: neither zeroed first nor copied from a
        // buffer of the serializer's own.
        let request = WrittenInPlace(count: total) { buffer in
            var out = RequestCursor(buffer)
            header.withUnsafeBufferPointer { out.append($0) }
            out.tag(4)
            out.varint(dataLength)
            if let schema {
                out.tag(1)
                out.varint(schema.count)
                schema.withUnsafeBufferPointer { out.append($0) }
            }
            out.tag(2)
            out.varint(rowsLength)
            for position in message.positions {
                message.rows.withMessage(position) { row in
                    out.tag(1)
                    out.varint(row.count)
                    out.append(row)
                }
            }
            return out.overflowed ? -1 : out.count
        }
        let bytes = Bytes(request)
        guard request.written == total, bytes.count == total else {
            throw RPCError(code: .internalError, message: "an AppendRows request came out at \(request.written) bytes, not \(total)")
        }
        return bytes
    }

    /// Writes into a buffer of the size the request was measured at; a write that would pass its
    /// end is not made, and marks the request as mismeasured.
    private struct RequestCursor {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        private(set) var count = 0
        private(set) var overflowed = false

        init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

        /// A length-delimited field's tag (field numbers below 16 take one byte).
        mutating func tag(_ number: UInt8) {
            byte(number << 3 | 2)
        }

        mutating func byte(_ value: UInt8) {
            guard count < buffer.count else { overflowed = true; return }
            buffer[count] = value
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
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            guard bytes.count <= buffer.count - count, let base = buffer.baseAddress else { overflowed = true; return }
            (base + count).update(from: source, count: bytes.count)
            count += bytes.count
        }
    }

    /// The size of a length-delimited field of `length` bytes with a one-byte tag.
    static func fieldSize(_ length: Int) -> Int {
        var size = 2
        var value = UInt64(length)
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size + length
    }
}

/// Bytes of a known count written by a closure straight into the storage that takes them.
///
/// A transport builds its bytes from a sequence by asking it to initialize the storage
/// (`Sequence._copyContents(initializing:)`, what `Array.init` and NIO's `ByteBuffer` call on a
/// sequence without contiguous storage of its own): the closure writes there, once. Iterated any
/// other way, the bytes are written into an array first. ``written`` is what the last write
/// returned: the byte count, or -1 when the closure found the count wrong.
final class WrittenInPlace: Sequence {
    let count: Int
    private let write: (UnsafeMutableBufferPointer<UInt8>) -> Int
    private(set) var written = 0

    init(count: Int, write: @escaping (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        self.count = count
        self.write = write
    }

    var underestimatedCount: Int { count }

    func makeIterator() -> [UInt8].Iterator { bytes().makeIterator() }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<UInt8>) -> ([UInt8].Iterator, Int) {
        guard buffer.count >= count else {
            // Room for part of it only: the rest is left to the iterator, as `Sequence` requires.
            let all = bytes()
            let head = buffer.count
            all.withUnsafeBufferPointer { source in
                if let base = buffer.baseAddress, let from = source.baseAddress { base.initialize(from: from, count: head) }
            }
            return (Array(all[head...]).makeIterator(), head)
        }
        fill(UnsafeMutableBufferPointer(rebasing: buffer[..<count]))
        return ([UInt8]().makeIterator(), count)
    }

    /// The bytes in an array of their own.
    private func bytes() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
    }

    /// Writes the bytes into `room` (`count` bytes); mismeasured, the rest is zeroed, so the storage
    /// is fully initialized all the same, and ``written`` tells the caller.
    private func fill(_ room: UnsafeMutableBufferPointer<UInt8>) {
        written = write(room)
        if written != count, let base = room.baseAddress {
            let kept = Swift.max(0, Swift.min(written, count))
            (base + kept).initialize(repeating: 0, count: count - kept)
        }
    }
}
