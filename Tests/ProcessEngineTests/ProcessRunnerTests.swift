import DocumentMapping
import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

@Suite("process runner")
struct ProcessRunnerTests {
    @Test("documents flow through a connector shape and are tracked with their values")
    func connectorTracking() async throws {
        let ws = workspace(
            shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)],
            tracking: [TrackedFieldBinding(name: "orderId", value: value(.profile(path: "/id"))),
                       TrackedFieldBinding(name: "who", value: value(.literal("by "), .execution(.processId)))])
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([ScriptedConnector()]),
                                   recorder: recorder, environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json(#"{"id": 7}"#), json(#"{"id": "x-8"}"#)])
        #expect(execution.status == .complete)
        #expect(execution.documentsIn == 2)
        #expect(execution.documentsOut == 2)
        #expect(execution.documentsError == 0)
        #expect(execution.shapeCounts.first { $0.shapeID == "send" } == ShapeCount(shapeID: "send", documentsIn: 2, documentsOut: 2))
        let traces = recorder.traces
        #expect(traces.map(\.index) == [0, 1])
        #expect(traces.allSatisfy { $0.shapeID == "send" && $0.operationID == "op" && $0.connectionID == "c" && $0.status == .success })
        #expect(traces[0].trackedValues == [TrackedFieldValue(name: "orderId", value: "7"), TrackedFieldValue(name: "who", value: "by p")])
        #expect(traces[1].trackedValues.first == TrackedFieldValue(name: "orderId", value: "x-8"))
        #expect(recorder.started.count == 1)
        #expect(recorder.finished.first?.status == .complete)
    }

    @Test("a document the operation rejects is recorded with its error; the others continue")
    func operationFailures() async throws {
        let connector = ScriptedConnector(execute: { documents, _ in
            OperationOutcome(outputs: documents.filter { $0.index != 1 },
                             failures: documents.filter { $0.index == 1 }.map { DocumentFailure(document: $0, message: "row rejected", code: .rejected) })
        })
        let ws = workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)],
                           tracking: [TrackedFieldBinding(name: "orderId", value: value(.profile(path: "/id")))])
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder, environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json(#"{"id":1}"#), json(#"{"id":2}"#), json(#"{"id":3}"#)])
        #expect(execution.status == .error)
        #expect(execution.documentsIn == 3)
        #expect(execution.documentsOut == 2)
        #expect(execution.documentsError == 1)
        #expect(execution.error?.contains("row rejected") == true)
        let failed = recorder.traces.filter { $0.status == .error }
        #expect(failed.count == 1)
        #expect(failed.first?.index == 1)
        #expect(failed.first?.error == "row rejected")
        #expect(failed.first?.trackedValues == [TrackedFieldValue(name: "orderId", value: "2")], "failed documents keep their tracked values")
    }

    @Test("an operation that throws fails its whole batch, recorded per document")
    func operationThrows() async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "HTTP 503 backendError" } }
        let connector = ScriptedConnector(execute: { _, _ in throw Boom() })
        let ws = workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)])
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder, environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json("{}"), json("{}")])
        #expect(execution.status == .error)
        #expect(execution.documentsError == 2)
        #expect(recorder.traces.filter { $0.status == .error }.map(\.index) == [0, 1])
        #expect(recorder.traces.allSatisfy { $0.error == "HTTP 503 backendError" })
    }

    @Test("application errors returned as documents make the execution COMPLETE_WARN")
    func applicationErrors() async throws {
        let connector = ScriptedConnector(execute: { documents, _ in
            var outputs = documents
            outputs[0].properties[Document.applicationErrorProperty] = "invalid row"
            return OperationOutcome(outputs: outputs, applicationErrors: 1)
        })
        let ws = workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)])
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder, environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json("{}"), json("{}")])
        #expect(execution.status == .completeWarn)
        #expect(recorder.traces.map(\.status) == [.applicationError, .success])
    }

    @Test("map failures are recorded against the map shape and the document")
    func mapFailures() async throws {
        let source = ProfileDefinition(id: "in", type: .json, elements: [ProfileElement(name: "id", type: "number", location: here)], location: here)
        let target = ProfileDefinition(id: "out", type: .bigQueryTable,
                                       elements: [ProfileElement(name: "order_id", type: "INT64", required: true, mode: "REQUIRED", location: here)],
                                       location: here)
        let map = MapDefinition(id: "m", fromProfile: "in", toProfile: "out",
                                mappings: [MappingRule(from: "/id", to: "/order_id", location: here)], location: here)
        let ws = workspace(shapes: [ShapeDefinition(id: "to-row", kind: .map(map: "m", next: "done"), location: here)],
                           maps: [map], profiles: [source, target])
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry(), recorder: recorder, environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json(#"{"id": 5}"#), json(#"{"other": 1}"#), json("{broken")])
        #expect(execution.documentsIn == 3)
        #expect(execution.documentsOut == 1)
        #expect(execution.documentsError == 2)
        #expect(execution.status == .error)
        let failures = recorder.traces.filter { $0.status == .error }
        #expect(failures.map(\.index) == [1, 2])
        #expect(failures.allSatisfy { $0.shapeID == "to-row" })
        #expect(failures[0].error?.contains("order_id") == true)
        #expect(failures[1].error?.contains("not valid JSON") == true)
    }

    @Test("setProperties sets document and process properties that interpolation reads")
    func properties() async throws {
        let assignments = [
            PropertyAssignment(scope: .document, name: "table", value: value(.literal("t_"), .profile(path: "/kind"))),
            PropertyAssignment(scope: .process, name: "last", value: value(.profile(path: "/kind"))),
        ]
        let seen = Seen()
        let connector = ScriptedConnector(execute: { documents, context in
            let text = try InterpolatedText("{process:dataset}.{table} after {process:last} in {execution:processId}")
            for document in documents { seen.add(try context.interpolate(text, for: document)) }
            return OperationOutcome(outputs: documents)
        })
        let ws = workspace(shapes: [
            ShapeDefinition(id: "props", kind: .setProperties(assignments, next: "send"), location: here),
            ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here),
        ], properties: [ProcessPropertyDefinition(name: "dataset", value: "sales")])
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: MemoryRecorder(), environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json(#"{"kind":"a"}"#), json(#"{"kind":"b"}"#)],
                                         properties: ["dataset": "sales_test"])
        #expect(execution.status == .complete)
        #expect(seen.values == ["sales_test.t_a after b in p", "sales_test.t_b after b in p"])
    }

    @Test("an unknown process, connection type or missing property is an error, never silent")
    func unknownNames() async throws {
        let ws = workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)])
        let recorder = MemoryRecorder()
        let noConnectors = ProcessRunner(workspace: ws, connectors: ConnectorRegistry(), recorder: recorder, environment: [:])
        let execution = await noConnectors.run(processID: "p", inputs: [json("{}")])
        #expect(execution.status == .error)
        #expect(execution.documentsError == 1)
        #expect(execution.error?.contains("no connector for connection type 'scripted'") == true)

        let missing = await noConnectors.run(processID: "nope")
        #expect(missing.status == .error)
        #expect(missing.error?.contains("nope") == true)

        let text = try InterpolatedText("{table}")
        let info = ExecutionInfo(id: "e", processID: "p", processName: "P", startTime: Date(), trigger: .manual)
        #expect(throws: DocumentError.self) {
            try text.render(document: json("{}"), processProperties: [:], execution: info)
        }
    }

    @Test("interpolation handles escaped braces and rejects unbalanced ones")
    func interpolationSyntax() throws {
        let info = ExecutionInfo(id: "ex-1", processID: "p", processName: "P", startTime: Date(), trigger: .schedule)
        let text = try InterpolatedText("{{literal}} {name}-{execution:id}-{execution:trigger}")
        let document = Document(data: [], properties: ["name": "n"])
        #expect(try text.render(document: document, processProperties: [:], execution: info) == "{literal} n-ex-1-schedule")
        #expect(throws: DocumentError.self) { try InterpolatedText("{open") }
        #expect(throws: DocumentError.self) { try InterpolatedText("close}") }
        #expect(throws: DocumentError.self) { try InterpolatedText("{}") }
        #expect(try InterpolatedText("plain").isConstant)
    }

    @Test("large inputs are processed in chunks and every document is counted")
    func chunking() async throws {
        let batches = Seen()
        let connector = ScriptedConnector(execute: { documents, _ in
            batches.add(String(documents.count))
            return OperationOutcome(outputs: documents)
        })
        let ws = workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)])
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: MemoryRecorder(),
                                   environment: [:], chunkSize: 4)
        let inputs = (0..<10).map { json(#"{"n":\#($0)}"#) }
        let execution = await runner.run(processID: "p", inputs: inputs)
        #expect(batches.values == ["4", "4", "2"])
        #expect(execution.documentsOut == 10)
    }
}

/// Values collected from concurrent closures.
final class Seen: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ value: String) { storage.withLock { $0.append(value) } }
    var values: [String] { storage.withLock { $0 } }
}

extension Document {
    /// Builds an XML document for tests.
    static func xml(_ text: String) -> Document { Document(data: Array(text.utf8)) }
}

@Suite("documents without a profile")
struct UntypedDocumentTests {
    @Test("XML documents are read by path like JSON ones")
    func xmlByPath() throws {
        var document = Document.xml(#"<order currency="EUR"><id>7</id><item><sku>A</sku></item><item><sku>B</sku></item></order>"#)
        let tree = try document.json()
        #expect(tree[key: "order"]?[key: "@currency"] == "EUR")
        #expect(tree[key: "order"]?[key: "id"] == "7")
        #expect(tree[key: "order"]?[key: "item"]?[index: 1]?[key: "sku"] == "B")
    }

    @Test("malformed XML and DOCTYPEs fail the document with the reason")
    func malformed() {
        var broken = Document.xml("<order><id>7</order>")
        #expect(throws: DocumentError.self) { _ = try broken.json() }
        var doctype = Document.xml(#"<!DOCTYPE order [<!ENTITY x SYSTEM "file:///etc/passwd">]><order>&x;</order>"#)
        do {
            _ = try doctype.json()
            Issue.record("a DOCTYPE must be refused")
        } catch {
            #expect(error.message.contains("not well-formed XML") || error.message.contains("DOCTYPE"), "\(error)")
            #expect(!error.message.contains("root:"))
        }
    }
}
