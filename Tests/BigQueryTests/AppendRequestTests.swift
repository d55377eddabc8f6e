@testable import BigQuery
import BigQueryStorage
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing

/// A request of encoded rows must be, byte for byte, the `AppendRowsRequest` SwiftProtobuf writes
/// for the same stream, offset, schema and rows.
@Suite struct AppendRequestTests {
    /// The request as SwiftProtobuf writes it.
    static func reference(_ request: AppendRequest) throws -> [UInt8] {
        var message = request.header
        var data = Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest.ProtoData()
        if let schema = request.schema { data.writerSchema = schema }
        data.rows.serializedRows = request.positions.map { Data(request.rows.message($0)) }
        message.protoRows = data
        return try message.serializedBytes()
    }

    @Test("rows of every size, with and without offset and schema, in any order: SwiftProtobuf's bytes")
    func serializedAsSwiftProtobufWould() throws {
        var generator = SystemRandomNumberGenerator()
        var rows = EncodedRows(count: 40)
        // Sizes around each varint length, the empty message included; some positions have no row.
        let sizes = [0, 1, 2, 126, 127, 128, 129, 300, 16_383, 16_384, 16_385, 70_000]
        for position in 0..<40 where position % 7 != 3 {
            let size = position < sizes.count ? sizes[position] : Int.random(in: 0...400, using: &generator)
            rows.set(position, (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        var descriptor = Google_Protobuf_DescriptorProto()
        descriptor.name = "row"
        var field = Google_Protobuf_FieldDescriptorProto()
        field.name = "id"
        field.number = 1
        descriptor.field = [field]
        for round in 0..<40 {
            var positions = (0..<40).filter { rows.has($0) }.shuffled(using: &generator)
            positions = Array(positions.prefix(Int.random(in: 1...positions.count, using: &generator)))
            var request = AppendRequest(rows: rows, positions: positions)
            request.header.writeStream = "projects/p/datasets/d/tables/t/streams/_default"
            if round % 2 == 0 { request.header.offset = Google_Protobuf_Int64Value(Int64(round) * 1_000_003) }
            if round % 3 == 0 {
                var schema = Google_Cloud_Bigquery_Storage_V1_ProtoSchema()
                schema.protoDescriptor = descriptor
                request.schema = schema
            }
            let bytes: [UInt8] = try AppendRequestSerializer().serialize(request)
            #expect(bytes == (try Self.reference(request)), "round \(round)")
            // The transport's own bytes, written in place (not through an iterator).
            let transport: GRPCNIOTransportBytes = try AppendRequestSerializer().serialize(request)
            #expect(transport.withUnsafeBytes { Array($0) } == bytes, "round \(round)")
            // And it reads back as the request.
            let parsed = try Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest(serializedBytes: bytes)
            #expect(parsed.protoRows.rows.serializedRows.map { Array($0) } == positions.map { Array(rows.message($0)) })
            #expect(parsed.hasOffset == (round % 2 == 0))
            #expect(parsed.protoRows.hasWriterSchema == (round % 3 == 0))
        }
    }

    @Test("bytes written in place: whole, into too little room, or mismeasured, as a sequence must be")
    func writtenInPlace() {
        let expected: [UInt8] = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        func source(count: Int = 300, writing: Int = 300) -> WrittenInPlace {
            WrittenInPlace(count: count) { buffer in
                for index in 0..<min(writing, buffer.count) { buffer[index] = expected[index] }
                return writing
            }
        }
        // Storage of the whole count, as NIO's `ByteBuffer` gives it.
        let room = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 300)
        defer { room.deallocate() }
        let whole = source()
        var (rest, filled) = room.initialize(from: whole)
        #expect(filled == 300 && rest.next() == nil && Array(room) == expected && whole.written == 300)
        // Less room than bytes: the rest comes from the iterator.
        let part = UnsafeMutableBufferPointer(rebasing: room[0..<100])
        (rest, filled) = part.initialize(from: source())
        var tail: [UInt8] = []
        while let byte = rest.next() { tail.append(byte) }
        #expect(filled == 100 && Array(part) + tail == expected)
        // Iterated, and turned into an array.
        #expect(Array(source()) == expected && source().map { $0 } == expected)
        // A write that comes out short is reported, and leaves no byte uninitialized.
        let short = source(writing: 250)
        (rest, filled) = room.initialize(from: short)
        #expect(short.written == 250 && filled == 300 && Array(room[250...]) == [UInt8](repeating: 0, count: 50))
    }

    @Test("rows encoded again replace the earlier message; buffers taken over are shared by copies, not changed")
    func encodedAgain() {
        var rows = EncodedRows(count: 3)
        rows.set(0, [1, 2, 3])
        rows.set(2, [9])
        var writer = ProtoWriter()
        writer.bool(1, true)
        writer.int64(2, 300)
        rows.set([(position: 0, range: 0..<2), (position: 1, range: 2..<5)], from: writer)
        #expect(Array(rows.message(0)) == [0x08, 1])
        #expect(Array(rows.message(1)) == [0x10, 0xAC, 0x02])
        #expect(Array(rows.message(2)) == [9])
        #expect(rows.size(1) == 3)
        // A second writer's buffer, taken over too: a copy made before keeps what it held.
        let before = rows
        var again = ProtoWriter()
        again.int64(3, 7)
        again.bool(4, false)
        rows.set([(position: 1, range: 0..<2), (position: 2, range: 2..<4)], from: again)
        #expect(rows.message(1) == [0x18, 7] && rows.message(2) == [0x20, 0])
        #expect(rows.message(0) == [0x08, 1])
        #expect(before.message(1) == [0x10, 0xAC, 0x02] && before.message(2) == [9])
        rows.clear(0)
        #expect(!rows.has(0) && rows.size(0) == 0 && rows.message(0).isEmpty && before.has(0))
        let empty = EncodedRows(count: 2)
        #expect(!empty.has(0) && empty.size(1) == 0 && empty.message(0).isEmpty)
    }
}
