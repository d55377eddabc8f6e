import Foundation
import ProcessDiagram
import ProcessModel
import Testing

/// Processes built in code for the diagram tests, and checks every layout must pass.
enum DiagramFixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    struct NoSecrets: SecretStore {
        func secret(named name: String) -> String? { nil }
    }

    /// A process of the shapes `add` is called with, in that order.
    struct Builder {
        var id: String
        var shapes: [ShapeDefinition] = []

        init(_ id: String) { self.id = id }

        mutating func add(_ shapeID: String, _ kind: ShapeKind) {
            shapes.append(ShapeDefinition(id: shapeID, kind: kind, location: location(shapes.count + 4)))
        }

        func location(_ line: Int) -> ProcessModel.SourceLocation { ProcessModel.SourceLocation(file: "processes/\(id).xml", line: line) }

        func value(_ source: ValueSource) -> ValueDefinition { ValueDefinition(parts: [source], location: location(1)) }

        var process: ProcessDefinition {
            ProcessDefinition(id: id, name: id, shapes: shapes, location: location(1))
        }
    }

    /// 40 shapes: a tryCatch around a flowControl, a split, three routes, decisions, a branch of
    /// three paths, a combine, a process call, an exception, a loop back through a flowControl,
    /// a flowControl that loops to itself, and paths that join an earlier shape.
    static func large() -> ProcessDefinition {
        var b = Builder("large")
        b.add("start", .start(.connector(connection: "inbox", operation: "read-orders"), next: "guard"))
        b.add("guard", .tryCatch(TryCatchDefinition(next: "batches", onError: "log-failure", retries: 2)))
        b.add("batches", .flowControl(FlowControlDefinition(batchSize: 500, threads: 4), next: "split-lines"))
        b.add("split-lines", .split(SplitDefinition(by: "json-lines"), next: "by-type"))
        b.add("by-type", .route(RouteDefinition(on: .documentProperty("type"), cases: [
            .init(value: "order", next: "to-order"), .init(value: "refund", next: "to-refund"),
            .init(value: "customer", next: "to-customer"),
        ], defaultNext: "unknown")))
        b.add("to-order", .map(map: "order-to-row", next: "big-order"))
        b.add("big-order", .decision(DecisionDefinition(left: b.value(.profile(path: "/total")), op: .gt, type: .number,
                                                        right: b.value(.literal("1000"))), onTrue: "flag-big", onFalse: "tag-order"))
        b.add("flag-big", .notify(NotifyDefinition(level: .warning, message: "big order {id}"), next: "tag-order"))
        b.add("tag-order", .setProperties([PropertyAssignment(scope: .document, name: "table",
                                                              value: b.value(.literal("orders")))], next: "insert-order"))
        b.add("insert-order", .connector(connection: "bigquery", operation: "insert-orders", next: "fan-out"))
        b.add("fan-out", .branch(paths: ["archive", "audit", "count"]))
        b.add("archive", .connector(connection: "disk", operation: "archive", next: "archived"))
        b.add("archived", .stop(continue: true))
        b.add("audit", .message(MessageDefinition(text: "{1} inserted", values: [b.value(.documentProperty("id"))]),
                                next: "write-audit"))
        b.add("write-audit", .connector(connection: "disk", operation: "audit-log", next: "audited"))
        b.add("audited", .stop(continue: true))
        b.add("count", .combine(into: "json-array", next: "report"))
        b.add("report", .processCall(ProcessCallDefinition(process: "daily-report", wait: false), next: "reported"))
        b.add("reported", .stop(continue: true))
        b.add("to-refund", .map(map: "refund-to-row", next: "check-refund"))
        b.add("check-refund", .decision(DecisionDefinition(left: b.value(.profile(path: "/number")), op: .regex,
                                                           right: b.value(.literal("R-[0-9]+"))),
                                        onTrue: "insert-refund", onFalse: "bad-refund"))
        b.add("insert-refund", .connector(connection: "bigquery", operation: "insert-refunds", next: "refund-done"))
        b.add("refund-done", .returnDocuments)
        b.add("bad-refund", .exception(message: "refund {id} has a bad number"))
        b.add("to-customer", .map(map: "customer-to-row", next: "retry-loop"))
        b.add("retry-loop", .flowControl(FlowControlDefinition(batchSize: 1), next: "upsert"))
        b.add("upsert", .connector(connection: "bigquery", operation: "upsert-customers", next: "upserted"))
        b.add("upserted", .decision(DecisionDefinition(left: b.value(.documentProperty("status")), op: .eq,
                                                       right: b.value(.literal("ok"))),
                                    onTrue: "customer-done", onFalse: "wait-retry"))
        b.add("wait-retry", .notify(NotifyDefinition(level: .info, message: "retrying {id}"), next: "retry-loop"))
        b.add("customer-done", .stop(continue: true))
        b.add("unknown", .route(RouteDefinition(on: .profile(path: "/kind"), cases: [
            .init(value: "legacy", next: "convert-legacy"), .init(value: "poll", next: "poll"),
        ], defaultNext: "drop")))
        b.add("convert-legacy", .map(map: "legacy-to-order", next: "to-order"))
        b.add("drop", .stop(continue: false))
        b.add("log-failure", .notify(NotifyDefinition(level: .error, message: "failed: {error.message}"), next: "failure-kind"))
        b.add("failure-kind", .route(RouteDefinition(on: .documentProperty("error.code"), cases: [
            .init(value: "unavailable", next: "requeue"),
        ], defaultNext: "dead-letter")))
        b.add("requeue", .connector(connection: "disk", operation: "requeue", next: "requeued"))
        b.add("requeued", .stop(continue: true))
        b.add("dead-letter", .connector(connection: "disk", operation: "dead-letters", next: "dead"))
        b.add("dead", .stop(continue: true))
        b.add("poll", .flowControl(FlowControlDefinition(batchSize: 10), next: "poll"))
        return b.process
    }

    /// `count` shapes one after another: a start, connectors, a stop.
    static func chain(_ count: Int) -> ProcessDefinition {
        var b = Builder("chain")
        b.add("start", .start(.input, next: "step-1"))
        for index in 1..<(count - 1) {
            let next = index == count - 2 ? "end" : "step-\(index + 1)"
            b.add("step-\(index)", .connector(connection: "bigquery", operation: "operation-\(index)", next: next))
        }
        b.add("end", .stop(continue: true))
        return b.process
    }

    /// Checks what every layout promises: boxes inside the canvas and apart, every edge made of
    /// horizontal and vertical pieces from its source's border to its target's border, crossing
    /// no other box.
    static func checkLayout(_ layout: DiagramLayout, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let boxes = layout.boxes
        #expect(boxes.count == layout.graph.nodes.count, sourceLocation: sourceLocation)
        for (index, box) in boxes.enumerated() {
            #expect(box.x >= 0 && box.y >= 0 && box.maxX <= layout.width && box.maxY <= layout.height,
                    "box of \(layout.graph.nodes[index].id) \(box) is outside \(layout.width)x\(layout.height)",
                    sourceLocation: sourceLocation)
            for other in boxes.indices where other > index {
                #expect(!box.overlaps(boxes[other]),
                        "boxes of \(layout.graph.nodes[index].id) and \(layout.graph.nodes[other].id) overlap",
                        sourceLocation: sourceLocation)
            }
        }
        for (index, edge) in layout.graph.edges.enumerated() {
            let route = layout.routes[index]
            let name = "\(layout.graph.nodes[edge.from].id) -> \(layout.graph.nodes[edge.to].id)"
            guard let first = route.points.first, let last = route.points.last, route.points.count >= 2 else {
                Issue.record("edge \(name) has no route", sourceLocation: sourceLocation)
                continue
            }
            #expect(boxes[edge.from].hasOnBorder(first), "edge \(name) starts at \(first), off its source \(boxes[edge.from])",
                    sourceLocation: sourceLocation)
            #expect(boxes[edge.to].hasOnBorder(last), "edge \(name) ends at \(last), off its target \(boxes[edge.to])",
                    sourceLocation: sourceLocation)
            for (a, b) in zip(route.points, route.points.dropFirst()) {
                #expect(a.x == b.x || a.y == b.y, "edge \(name) has a slanted piece \(a) \(b)", sourceLocation: sourceLocation)
                #expect(a.x >= 0 && a.y >= 0 && a.x <= layout.width && a.y <= layout.height,
                        "edge \(name) leaves the canvas at \(a)", sourceLocation: sourceLocation)
                for (other, box) in boxes.enumerated() where other != edge.from && other != edge.to {
                    let crosses = min(a.x, b.x) < box.maxX && max(a.x, b.x) > box.x
                        && min(a.y, b.y) < box.maxY && max(a.y, b.y) > box.y
                    #expect(!crosses, "edge \(name) crosses the box of \(layout.graph.nodes[other].id)",
                            sourceLocation: sourceLocation)
                }
            }
        }
    }
}
