import Foundation
import ProcessDiagram
import ProcessModel
import Testing

/// The layout of large processes: readable (no boxes on boxes, edges from border to border,
/// around other boxes), left to right, loops drawn back, wrapping onto rows when too wide.
@Suite("diagram layout")
struct DiagramLayoutTests {
    @Test("40 shapes: no two boxes overlap, every edge touches its boxes, every shape once")
    func largeProcess() throws {
        let process = DiagramFixtures.large()
        #expect(process.shapes.count == 40)
        let graph = DiagramGraph(process: process)
        #expect(graph.nodes.map(\.id) == process.shapes.map(\.id))
        #expect(graph.edges.count == process.shapes.map(\.exits.count).reduce(0, +))
        let layout = DiagramLayout(graph: graph)
        DiagramFixtures.checkLayout(layout)
        #expect(layout.width <= DiagramMetrics().maximumWidth, "\(layout.width) wide")

        let svg = ProcessDiagram.svg(layout)
        for shape in process.shapes {
            #expect(svg.components(separatedBy: "data-shape=\"\(shape.id)\"").count == 2, "\(shape.id) is not drawn once")
            #expect(svg.components(separatedBy: "id=\"shape-\(shape.id)\"").count == 2)
        }
        let dot = ProcessDiagram.dot(graph)
        let mermaid = ProcessDiagram.mermaid(graph)
        for shape in process.shapes {
            #expect(dot.components(separatedBy: "\n  \"\(shape.id)\" [label=").count == 2, "\(shape.id) in DOT")
            let mermaidID = "s_" + shape.id.replacingOccurrences(of: "-", with: "_")
            #expect(mermaid.components(separatedBy: "\n  \(mermaidID)[\"").count == 2, "\(shape.id) in Mermaid")
        }
    }

    @Test("exits are labelled: true/false, branch paths, route values and default, try/onError")
    func labels() throws {
        let graph = DiagramGraph(process: DiagramFixtures.large())
        func labels(of id: String) -> [String] {
            let index = graph.nodes.firstIndex { $0.id == id } ?? -1
            return graph.edges.filter { $0.from == index }.map(\.label)
        }
        #expect(labels(of: "big-order") == ["true", "false"])
        #expect(labels(of: "fan-out") == ["1", "2", "3"])
        #expect(labels(of: "by-type") == ["'order'", "'refund'", "'customer'", "default"])
        #expect(labels(of: "guard") == ["try", "onError"])
        #expect(labels(of: "start") == [""])
        let details = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0.detail) })
        #expect(details["start"] == "inbox / read-orders")
        #expect(details["insert-order"] == "bigquery / insert-orders")
        #expect(details["big-order"] == "/total > '1000' (number)")
        #expect(details["by-type"] == "on document:type")
        #expect(details["batches"] == "batch 500, 4 threads")
        #expect(details["guard"] == "retries 2")
        #expect(details["to-order"] == "order-to-row")
    }

    @Test("details of each kind of start and of the other shapes are short and say what the shape does")
    func details() {
        var b = DiagramFixtures.Builder("kinds")
        let capture = ChangeCaptureStart(connection: "pg", slot: "orders_slot", publication: "orders_pub", tables: ["public.orders"],
                                         location: b.location(2))
        b.add("cdc", .start(.changes(capture), next: "nodata"))
        b.add("nodata", .start(.noData, next: "split"))
        b.add("split", .split(SplitDefinition(by: "json-array", path: "/items"), next: "message"))
        b.add("message", .message(MessageDefinition(text: "line one\nline two, long enough to be cut somewhere", values: []),
                                  next: "call"))
        b.add("call", .processCall(ProcessCallDefinition(process: "child"), next: "end"))
        b.add("end", .stop(continue: false))
        var process = b.process
        let graph = DiagramGraph(process: process)
        #expect(graph.nodes.map(\.detail) == [
            "cdc pg slot orders_slot", "noData", "by json-array /items",
            "'line one line two, long enough to be c…", "child", "stops the execution",
        ])
        #expect(graph.nodes.allSatisfy { $0.detail.count <= 40 })
        process.shapes = [ShapeDefinition(id: "in", kind: .start(.input, next: "in"), location: b.location(3))]
        process.listener = ListenerDefinition(path: "/orders", method: "PUT", location: b.location(3))
        #expect(DiagramGraph(process: process).nodes[0].detail == "listener PUT /orders")
    }

    @Test("ranks follow the longest path left to right; a loop's closing edge goes back")
    func ranksAndLoops() throws {
        let layout = DiagramLayout(graph: DiagramGraph(process: DiagramFixtures.large()))
        let graph = layout.graph
        func node(_ id: String) -> Int { graph.nodes.firstIndex { $0.id == id } ?? -1 }
        #expect(layout.ranks[node("start")] == 0)
        for (index, edge) in graph.edges.enumerated() {
            let loop = graph.nodes[edge.from].id == "wait-retry" || edge.from == edge.to
            #expect(layout.routes[index].isBackEdge == loop, "\(graph.nodes[edge.from].id) -> \(graph.nodes[edge.to].id)")
            if !loop { #expect(layout.ranks[edge.to] > layout.ranks[edge.from]) }
        }
        // convert-legacy joins to-order from further right: to-order moves right of it.
        #expect(layout.ranks[node("to-order")] > layout.ranks[node("convert-legacy")])
        // The loop's closing edge is drawn from the left of wait-retry back to the right of retry-loop.
        let loop = try #require(graph.edges.indices.first { graph.nodes[graph.edges[$0].from].id == "wait-retry" })
        let points = layout.routes[loop].points
        #expect((points.first?.x ?? 0) == layout.boxes[node("wait-retry")].x)
        #expect((points.last?.x ?? 0) == layout.boxes[node("retry-loop")].maxX)
    }

    @Test("a long chain wraps onto rows of ranks no wider than the maximum")
    func wrapping() {
        let layout = DiagramLayout(graph: DiagramGraph(process: DiagramFixtures.chain(40)))
        DiagramFixtures.checkLayout(layout)
        #expect(layout.width <= DiagramMetrics().maximumWidth, "\(layout.width) wide")
        let rows = Set(layout.boxes.map(\.y)).count
        #expect(rows >= 3, "\(rows) rows")
        // Each shape after the first is right of the one before, or on a lower row.
        for (a, b) in zip(layout.boxes, layout.boxes.dropFirst()) {
            #expect(b.x > a.maxX || b.y > a.maxY)
        }
        // A narrow maximum still gives a valid picture.
        var metrics = DiagramMetrics()
        metrics.maximumWidth = 300
        DiagramFixtures.checkLayout(DiagramLayout(graph: DiagramGraph(process: DiagramFixtures.large()), metrics: metrics))
    }

    @Test("an exit naming no shape is drawn as a missing shape; a process without a start still draws")
    func unvalidatedProcesses() {
        var b = DiagramFixtures.Builder("broken")
        b.add("first", .map(map: "m", next: "nowhere"))
        b.add("first", .stop(continue: true))
        b.add("second", .decision(DecisionDefinition(left: b.value(.literal("a")), op: .eq, right: b.value(.literal("a"))),
                                  onTrue: "second", onFalse: "first"))
        let graph = DiagramGraph(process: b.process)
        #expect(graph.nodes.map(\.id) == ["first", "second", "nowhere"])
        #expect(graph.nodes.map(\.kind) == ["map", "decision", "missing"])
        #expect(graph.start == nil)
        DiagramFixtures.checkLayout(DiagramLayout(graph: graph))
        #expect(ProcessDiagram.svg(for: b.process).contains(#"class="shape kind-missing""#))
    }

    @Test("annotations add a line and a class to a shape, and are escaped")
    func annotations() throws {
        let process = DiagramFixtures.large()
        let svg = ProcessDiagram.svg(for: process, annotations: [
            "insert-order": ShapeAnnotation(text: "120 in · 2 failed <!>", cssClass: "failed"),
            "start": ShapeAnnotation(text: "120 out", cssClass: "ok \"><script>"),
        ])
        #expect(svg.contains(#"<g class="shape kind-connector failed" id="shape-insert-order" data-shape="insert-order">"#))
        #expect(svg.contains(#"<g class="shape kind-start ok script" id="shape-start""#))
        #expect(svg.contains(#"<text class="annotation""#))
        #expect(svg.contains("120 in · 2 failed &lt;!&gt;"))
        #expect(!svg.contains("<script"))
        let plain = DiagramLayout(graph: DiagramGraph(process: process))
        let annotated = DiagramLayout(graph: DiagramGraph(process: process, annotations: [
            "insert-order": ShapeAnnotation(text: "120 in · 2 failed", cssClass: "failed"),
        ]))
        DiagramFixtures.checkLayout(annotated)
        let index = try #require(process.shapes.firstIndex { $0.id == "insert-order" })
        #expect(annotated.boxes[index].height > plain.boxes[index].height)
    }

    @Test("a secret substituted into a value is not shown")
    func redaction() {
        var b = DiagramFixtures.Builder("secret")
        b.add("start", .start(.input, next: "check"))
        b.add("check", .decision(DecisionDefinition(left: b.value(.documentProperty("token")), op: .eq,
                                                    right: b.value(.literal("hunter2-secret"))), onTrue: "done", onFalse: "done"))
        b.add("done", .stop(continue: true))
        let redactor = SecretRedactor(["hunter2-secret"])
        for format in DiagramFormat.allCases {
            let text = ProcessDiagram.render(b.process, as: format, redactor: redactor)
            #expect(!text.contains("hunter2"), "\(format)")
            #expect(text.contains("***"), "\(format)")
        }
    }
}
