/// Draws a ``DiagramGraph`` as Graphviz DOT: `rankdir=LR`, every id and label quoted.
enum DOTRenderer {
    static func render(_ graph: DiagramGraph) -> String {
        var out = "digraph \(quote(graph.processID)) {\n"
        out += "  graph [rankdir=LR, labelloc=t, label=\(quote(DiagramLayout.title(of: graph))), fontname=\"monospace\", "
        out += "nodesep=0.3, ranksep=0.5];\n"
        out += "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=11, color=\"#546e7a\"];\n"
        out += "  edge [fontname=\"monospace\", fontsize=9, color=\"#546e7a\"];\n"
        for node in graph.nodes {
            let fill = SVGRenderer.fills.first { $0.kind == node.kind }?.fill ?? "#ffffff"
            var attributes = ["label=\(quote(node.lines.joined(separator: "\n")))", "fillcolor=\"\(fill)\"",
                              "class=\(quote("kind-" + SVGRenderer.cssName(node.kind)))"]
            if node.kind == "missing" { attributes.append("style=\"rounded,dashed\"") }
            if let annotationClass = node.annotationClass, annotationClass.contains("failed") {
                attributes.append("penwidth=2.5, color=\"#c62828\"")
            }
            out += "  \(quote(node.id)) [\(attributes.joined(separator: ", "))];\n"
        }
        for edge in graph.edges {
            var attributes: [String] = []
            if !edge.label.isEmpty { attributes.append("label=\(quote(edge.label))") }
            if edge.style == .onError { attributes.append("color=\"#c62828\", fontcolor=\"#c62828\", style=dashed") }
            let suffix = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
            out += "  \(quote(graph.nodes[edge.from].id)) -> \(quote(graph.nodes[edge.to].id))\(suffix);\n"
        }
        return out + "}\n"
    }

    /// A DOT double-quoted string: `"` and `\` escaped, line breaks as `\n`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

/// Draws a ``DiagramGraph`` as a Mermaid flowchart (`flowchart LR`): node ids made of letters,
/// digits and `_`, every label quoted with Mermaid's `#…;` entity codes for characters that
/// would end or change it.
enum MermaidRenderer {
    static func render(_ graph: DiagramGraph) -> String {
        let ids = nodeIDs(graph)
        var out = "flowchart LR\n"
        for (index, node) in graph.nodes.enumerated() {
            out += "  \(ids[index])[\"\(node.lines.map(escape).joined(separator: "<br/>"))\"]\n"
        }
        for edge in graph.edges {
            let arrow = edge.style == .onError ? "-.->" : "-->"
            let label = edge.label.isEmpty ? "" : "|\"\(escape(edge.label))\"|"
            out += "  \(ids[edge.from]) \(arrow)\(label) \(ids[edge.to])\n"
        }
        var kinds: [String] = []
        for node in graph.nodes where !kinds.contains(node.kind) { kinds.append(node.kind) }
        for kind in kinds {
            let fill = SVGRenderer.fills.first { $0.kind == kind }?.fill ?? "#ffffff"
            let name = "kind_" + SVGRenderer.cssName(kind)
            out += "  classDef \(name) fill:\(fill),stroke:#546e7a\n"
            let members = graph.nodes.indices.filter { graph.nodes[$0].kind == kind }.map { ids[$0] }
            out += "  class \(members.joined(separator: ",")) \(name)\n"
        }
        let failed = graph.nodes.indices.filter { graph.nodes[$0].annotationClass?.contains("failed") == true }
        if !failed.isEmpty {
            out += "  classDef failed stroke:#c62828,stroke-width:3px\n"
            out += "  class \(failed.map { ids[$0] }.joined(separator: ",")) failed\n"
        }
        return out
    }

    /// `s_` and the shape id with every character but ASCII letters and digits as `_`; a
    /// number is added when two ids would be the same.
    static func nodeIDs(_ graph: DiagramGraph) -> [String] {
        var used = Set<String>()
        return graph.nodes.map { node in
            let base = "s_" + String(node.id.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
            })
            var candidate = base, number = 2
            while used.contains(candidate) {
                candidate = "\(base)_\(number)"
                number += 1
            }
            used.insert(candidate)
            return candidate
        }
    }

    /// Label text for inside `"…"`: quotes, `#`, `<`, `>`, `&`, `|`, backquotes and line breaks as
    /// entity codes or spaces.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "|": out += "#124;"
            case "`": out += "#96;"
            case "\n", "\r\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
