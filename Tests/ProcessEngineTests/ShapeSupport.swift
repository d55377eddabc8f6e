import Foundation
import ProcessEngine
import ProcessModel

/// A shape at the test location.
func shape(_ id: String, _ kind: ShapeKind) -> ShapeDefinition { ShapeDefinition(id: id, kind: kind, location: here) }

/// A connector shape that records what reaches it (see ``Probe``).
func probe(_ id: String, next: String = "done") -> ShapeDefinition {
    shape(id, .connector(connection: "c", operation: "op", next: next))
}

/// Records `shapeID:text` for every document reaching a connector shape; fails documents whose
/// text contains "fail" at shapes whose id starts with "flaky" (and counts the attempts).
struct Probe {
    let seen = Seen()

    var connector: ScriptedConnector {
        let seen = self.seen
        return ScriptedConnector(execute: { documents, context in
            var outputs: [Document] = []
            var failures: [DocumentFailure] = []
            for document in documents {
                seen.add("\(context.shapeID):\(document.text)")
                if context.shapeID.hasPrefix("flaky"), document.text.contains("fail") {
                    failures.append(DocumentFailure(document: document, message: "rejected \(document.text)", code: .rejected))
                } else {
                    outputs.append(document)
                }
            }
            return OperationOutcome(outputs: outputs, failures: failures)
        })
    }

    /// What reached the shape, in order.
    func at(_ shapeID: String) -> [String] {
        seen.values.filter { $0.hasPrefix(shapeID + ":") }.map { String($0.dropFirst(shapeID.count + 1)) }
    }

    /// Runs process `p` of the workspace with these inputs.
    func run(_ ws: Workspace, _ inputs: [String], recorder: MemoryRecorder = MemoryRecorder(),
             registry: ExecutionRegistry = ExecutionRegistry()) async -> Execution {
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder,
                                   environment: ["STAGE": "test"], registry: registry)
        return await runner.run(processID: "p", inputs: inputs.map(json))
    }
}

/// The counts of one shape.
func counts(_ execution: Execution, _ shapeID: String) -> ShapeCount? {
    execution.shapeCounts.first { $0.shapeID == shapeID }
}

/// A `<value>` of one static text.
func literal(_ text: String) -> ValueDefinition { value(.literal(text)) }
