import ExecutionStore
import Foundation
import Testing

/// The one execution JSON shape (``ExecutionRecord``'s `Codable` form) against its documented schema,
/// `docs/schema/execution-summary.schema.json`: a field added to the record without the schema fails here.
@Suite struct ExecutionJSONTests {
    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/schema/execution-summary.schema.json").path

    /// A record with every field set, optional ones included.
    static let populated = ExecutionRecord(
        id: "ex-20261121T120000Z-1a2b3c4d", processID: "child", processName: "Child", trigger: "subprocess",
        status: .completeWarn, startTime: Date(timeIntervalSince1970: 1_795_000_000.125),
        endTime: Date(timeIntervalSince1970: 1_795_000_002.5), documentsIn: 5, documentsOut: 4, documentsError: 1,
        error: "shape 'write': disk full",
        shapeCounts: [ShapeCount(shapeID: "start", documentsIn: 5, documentsOut: 5),
                      ShapeCount(shapeID: "write", documentsIn: 5, documentsOut: 4, documentsError: 1)],
        userLog: ["warning: one row / skipped"], parentExecutionID: "ex-20261121T115959Z-00000001", retries: 3,
        documentsDeadLettered: 2, host: "host-a")

    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: schemaPath))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func encoded(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: ExecutionJSON.encoder().encode(value)) as? [String: Any])
    }

    @Test("every key of a fully populated execution summary is declared by the schema, and every declared key is written")
    func keysMatchTheSchema() throws {
        let schema = try Self.schema()
        let properties = try #require(schema["properties"] as? [String: Any])
        let required = try #require(schema["required"] as? [String])
        let object = try Self.encoded(Self.populated)

        // `documents` and `childExecutions` are added by `executions show` and `run`, around the summary.
        let declared = Set(properties.keys).subtracting(["documents", "childExecutions"])
        #expect(Set(object.keys).subtracting(declared).isEmpty, "keys not in the schema: \(Set(object.keys).subtracting(declared))")
        #expect(declared.subtracting(object.keys).isEmpty, "schema keys never written: \(declared.subtracting(object.keys))")
        #expect(Set(required).isSubset(of: object.keys))

        let shapeSchema = try #require((schema["$defs"] as? [String: Any])?["shape"] as? [String: Any])
        let shapeKeys = Set(try #require(shapeSchema["properties"] as? [String: Any]).keys)
        let shapes = try #require(object["shapes"] as? [[String: Any]])
        #expect(shapes.count == 2)
        for shape in shapes { #expect(Set(shape.keys) == shapeKeys) }
        #expect(shapes.last?["shapeId"] as? String == "write")
        #expect(object["parentExecutionId"] as? String == "ex-20261121T115959Z-00000001")
        #expect(object["startTime"] as? String == "2026-11-18T11:06:40.125Z")
    }

    @Test("absent optional fields are left out, and the summary reads back as it was written")
    func optionalFieldsAndRoundTrip() throws {
        var running = Self.populated
        running.endTime = nil
        running.error = nil
        running.parentExecutionID = nil
        let object = try Self.encoded(running)
        #expect(object["endTime"] == nil && object["error"] == nil && object["parentExecutionId"] == nil)

        let data = try ExecutionJSON.encoder().encode(Self.populated)
        #expect(try ExecutionJSON.decoder().decode(ExecutionRecord.self, from: data) == Self.populated)
    }

    /// A document record with every field set.
    static let document = DocumentRecord(
        executionID: "ex-20261121T120000Z-1a2b3c4d", shapeID: "write", connectionID: "bq", operationID: "insert",
        direction: "input", index: 7, status: .deadLettered, error: "row 7: no such field", errorCode: "deadLettered",
        trackedValues: [TrackedValue(name: "orderId", value: "A-1"), TrackedValue(name: "note", value: String(repeating: "x", count: 1_200))],
        recordedAt: Date(timeIntervalSince1970: 1_795_000_001.25), count: 1)

    @Test("a document record writes exactly the keys the schema's document declares, and reads back as written")
    func documentKeysMatchTheSchema() throws {
        let definitions = try #require(try Self.schema()["$defs"] as? [String: Any])
        let documentSchema = try #require(definitions["document"] as? [String: Any])
        let declared = Set(try #require(documentSchema["properties"] as? [String: Any]).keys)
        let object = try Self.encoded(Self.document)
        #expect(Set(object.keys) == declared, "written \(object.keys.sorted()), declared \(declared.sorted())")
        let tracked = try #require(object["trackedValues"] as? [[String: Any]])
        #expect(tracked.count == 2 && tracked[1]["truncated"] as? Bool == true)
        #expect(object["status"] as? String == "dead-lettered")

        let data = try ExecutionJSON.encoder().encode(Self.document)
        #expect(try ExecutionJSON.decoder().decode(DocumentRecord.self, from: data) == Self.document)
    }
}
