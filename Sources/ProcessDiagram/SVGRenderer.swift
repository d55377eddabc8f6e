/// Draws a ``DiagramLayout`` as a self-contained SVG document: no scripts, no external
/// references, every text escaped.
///
/// Each shape is a `<g class="shape kind-KIND [annotation class]" id="shape-…" data-shape="ID">`
/// holding a `<title>`, its box and its lines; each edge a `<g class="edge edge-STYLE"
/// data-from data-to>` holding its path and label. The style sheet is scoped to the
/// `conveyor-diagram` class, so several diagrams can share a page.
enum SVGRenderer {
    /// Fill colours by shape kind.
    static let fills: [(kind: String, fill: String)] = [
        ("start", "#e3f4e1"), ("connector", "#dfeaf7"), ("map", "#ece3f7"), ("setProperties", "#f3f0df"),
        ("message", "#f3f0df"), ("decision", "#fdf1cc"), ("branch", "#fbe3cc"), ("route", "#fbe3cc"),
        ("split", "#dcf0ee"), ("combine", "#dcf0ee"), ("tryCatch", "#fde2d6"), ("exception", "#f8d3d2"),
        ("notify", "#f3f0df"), ("processCall", "#e4e7f5"), ("flowControl", "#e9e9e9"),
        ("returnDocuments", "#eeeeee"), ("stop", "#eeeeee"), ("missing", "#ffffff"),
    ]

    static let style = """
        .conveyor-diagram { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
        .conveyor-diagram .diagram-title { font-size: 13px; font-weight: bold; fill: #263238; }
        .conveyor-diagram .shape rect { fill: #ffffff; stroke: #546e7a; stroke-width: 1.2px; }
        .conveyor-diagram .shape text { font-size: 12px; fill: #263238; text-anchor: middle; }
        .conveyor-diagram .shape .id { font-weight: bold; }
        .conveyor-diagram .shape .kind { fill: #607d8b; font-style: italic; }
        .conveyor-diagram .shape .annotation { fill: #0d47a1; }
        .conveyor-diagram .kind-missing rect { stroke: #c62828; stroke-dasharray: 4 3; }
        .conveyor-diagram .shape.failed rect { stroke: #c62828; stroke-width: 2.5px; }
        .conveyor-diagram .shape.failed .annotation { fill: #c62828; }
        .conveyor-diagram .shape.warn rect { stroke: #ef6c00; stroke-width: 2.5px; }
        .conveyor-diagram .shape.ok rect { stroke: #2e7d32; stroke-width: 2px; }
        .conveyor-diagram .edge path { fill: none; stroke: #546e7a; stroke-width: 1.2px; }
        .conveyor-diagram .edge text { font-size: 10px; fill: #37474f; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
        .conveyor-diagram .edge-error path { stroke: #c62828; stroke-dasharray: 5 3; }
        .conveyor-diagram .edge-error text { fill: #c62828; }
        .conveyor-diagram .edge.back path { stroke-dasharray: 2 3; }

        """

    static func render(_ layout: DiagramLayout) -> String {
        let graph = layout.graph
        var out = ""
        out += #"<svg xmlns="http://www.w3.org/2000/svg" class="conveyor-diagram" width="\#(layout.width)" "#
        out += #"height="\#(layout.height)" viewBox="0 0 \#(layout.width) \#(layout.height)" "#
        out += #"role="img" data-process="\#(escape(graph.processID))">"# + "\n"
        let title = DiagramLayout.title(of: graph)
        out += "<title>\(escape(title))</title>\n"
        out += "<style>\n" + style
        for (kind, fill) in fills { out += ".conveyor-diagram .kind-\(kind) rect { fill: \(fill); }\n" }
        out += "</style>\n"
        out += "<defs>\n"
        for (id, colour) in [("conveyor-arrow", "#546e7a"), ("conveyor-arrow-error", "#c62828")] {
            out += #"<marker id="\#(id)" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" "#
            out += #"markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="\#(colour)"/></marker>"#
            out += "\n"
        }
        out += "</defs>\n"
        out += #"<text class="diagram-title" x="\#(DiagramLayout.margin)" y="\#(DiagramLayout.margin + 14)">"#
        out += escape(title) + "</text>\n"
        out += #"<g class="shapes">"# + "\n"
        for (index, node) in graph.nodes.enumerated() {
            out += shape(node, box: layout.boxes[index], metrics: layout.metrics)
        }
        out += "</g>\n"
        out += #"<g class="edges">"# + "\n"
        for (index, edge) in graph.edges.enumerated() {
            out += self.edge(edge, route: layout.routes[index], graph: graph)
        }
        out += "</g>\n</svg>\n"
        return out
    }

    private static func shape(_ node: DiagramNode, box: DiagramRect, metrics: DiagramMetrics) -> String {
        var classes = ["shape", "kind-\(cssName(node.kind))"]
        classes += (node.annotationClass ?? "").split(separator: " ").map { cssName(String($0)) }.filter { !$0.isEmpty }
        var out = #"<g class="\#(classes.joined(separator: " "))" id="shape-\#(elementID(node.id))" "#
        out += #"data-shape="\#(escape(node.id))">"#
        var tooltip = "\(node.kind) \(node.id)" + (node.detail.isEmpty ? "" : ": \(node.detail)")
        if let annotation = node.annotation { tooltip += "\n\(annotation)" }
        out += "<title>\(escape(tooltip))</title>"
        out += #"<rect x="\#(box.x)" y="\#(box.y)" width="\#(box.width)" height="\#(box.height)" rx="6" ry="6"/>"#
        let lines = node.lines
        let classesOfLines = ["id", "kind"] + (node.detail.isEmpty ? [] : ["detail"]) + (node.annotation == nil ? [] : ["annotation"])
        let textHeight = lines.count * metrics.lineHeight
        let firstBaseline = box.y + (box.height - textHeight) / 2 + metrics.lineHeight - 4
        for (index, line) in lines.enumerated() {
            let y = firstBaseline + index * metrics.lineHeight
            out += #"<text class="\#(classesOfLines[index])" x="\#(box.x + box.width / 2)" y="\#(y)">"#
            out += escape(line) + "</text>"
        }
        return out + "</g>\n"
    }

    private static func edge(_ edge: DiagramEdge, route: EdgeRoute, graph: DiagramGraph) -> String {
        let classes = ["edge", "edge-\(edge.style.rawValue)"] + (route.isBackEdge ? ["back"] : [])
        var out = #"<g class="\#(classes.joined(separator: " "))" data-from="\#(escape(graph.nodes[edge.from].id))" "#
        out += #"data-to="\#(escape(graph.nodes[edge.to].id))">"#
        let path = route.points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\($0.element.x),\($0.element.y)" }
            .joined(separator: " ")
        let marker = edge.style == .onError ? "conveyor-arrow-error" : "conveyor-arrow"
        out += #"<path d="\#(path)" marker-end="url(#\#(marker))"/>"#
        if !edge.label.isEmpty {
            let anchor = route.labelEndsAtPosition ? #" text-anchor="end""# : ""
            out += #"<text x="\#(route.labelPosition.x)" y="\#(route.labelPosition.y)"\#(anchor)>"#
            out += escape(edge.label) + "</text>"
        }
        return out + "</g>\n"
    }

    /// Text for XML content and attribute values: `& < > " '` as entities, characters XML 1.0
    /// cannot hold as U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                let value = scalar.value
                let allowed = value >= 0x20 && value != 0xFFFE && value != 0xFFFF && !(0x7F...0x9F).contains(value)
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    /// A shape id as an XML id: letters, digits and `-` kept, every other character as `_HEX_`,
    /// so two shape ids never give the same element id.
    static func elementID(_ id: String) -> String {
        var out = ""
        for scalar in id.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" {
                out.unicodeScalars.append(scalar)
            } else {
                out += "_" + String(scalar.value, radix: 16) + "_"
            }
        }
        return out
    }

    /// A CSS class name: letters, digits, `-` and `_` kept, others dropped.
    static func cssName(_ name: String) -> String {
        String(name.unicodeScalars.filter {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
        })
    }
}
