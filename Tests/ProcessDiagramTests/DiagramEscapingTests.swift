import Foundation
import ProcessDiagram
import ProcessModel
import Testing

/// Shape ids, values and labels holding `< & " '`, brackets, pipes, backslashes and words
/// Mermaid reserves come out intact in each format, and never as markup.
@Suite("diagram escaping")
struct DiagramEscapingTests {
    static let hostile = [#"a<b&"c'>"#, "end", "x]y[z", "#quot;", "s-p-q", "s p q", "--> z", #"back\slash"#,
                          "ü-ñ", "<script>alert(1)</script>"]

    /// A process whose shape ids and route values are the hostile texts.
    static func process() -> ProcessDefinition {
        var b = DiagramFixtures.Builder(#"odd "process" <&>"#)
        b.add("start", .start(.input, next: "route"))
        b.add("route", .route(RouteDefinition(on: .documentProperty("k"), cases: hostile.map { .init(value: $0 + "|v", next: $0) },
                                              defaultNext: nil)))
        for id in hostile {
            b.add(id, .exception(message: "stop \"\(id)\" & <go>"))
        }
        return b.process
    }

    @Test("SVG: a well-formed document whose shape ids, titles and labels read back exactly")
    func svg() throws {
        let svg = ProcessDiagram.svg(for: Self.process())
        let tree = try XMLInput.tree(Array(svg.utf8))
        #expect(tree.name == "svg")
        var shapes: [String] = [], labels: [String] = [], names: Set<String> = [], elementIDs: [String] = []
        func walk(_ node: XMLTreeNode) {
            names.insert(node.name)
            let attributes = Dictionary(node.attributes.map { ($0.name, $0.value) }) { first, _ in first }
            if node.name == "g", let shape = attributes["data-shape"] {
                shapes.append(shape)
                elementIDs.append(attributes["id"] ?? "")
                let title = node.children.first { $0.name == "title" }?.text ?? ""
                #expect(title.hasPrefix("exception \(shape): 'stop \"") || shape == "start" || shape == "route",
                        "title \(title)")
            }
            if node.name == "text", attributes["class"] == nil { labels.append(node.text) }
            node.children.forEach(walk)
        }
        walk(tree)
        #expect(shapes == ["start", "route"] + Self.hostile)
        #expect(Set(elementIDs).count == elementIDs.count, "element ids \(elementIDs)")
        for id in elementIDs {
            #expect(id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_".unicodeScalars.contains($0)) },
                    "element id \(id)")
        }
        for value in Self.hostile {
            let full = "'" + value + "|v'"
            let label = full.count > 20 ? String(full.prefix(19)) + "…" : full
            #expect(labels.contains(label), "no label \(label): \(labels)")
        }
        #expect(!names.contains("script") && !names.contains("foreignObject"), "elements: \(names.sorted())")
        #expect(!svg.contains("<script"))
    }

    @Test("DOT: every id and label is one quoted string that reads back exactly")
    func dot() throws {
        let process = Self.process()
        let dot = ProcessDiagram.dot(for: process)
        let lines = dot.split(separator: "\n").map(String.init)
        #expect(lines.first == #"digraph "odd \"process\" <&>" {"#)
        var nodes: [String] = [], edges: [(String, String)] = []
        for line in lines.dropFirst().dropLast() where line.hasPrefix("  \"") {
            let strings = try Self.quotedStrings(line)
            if line.contains("\" -> \"") {
                edges.append((strings[0], strings[1]))
            } else {
                nodes.append(strings[0])
                #expect(strings[1].hasPrefix(strings[0] + "\n"), "label of \(strings[0]): \(strings[1])")
            }
        }
        #expect(nodes == process.shapes.map(\.id))
        #expect(edges.map(\.1) == process.shapes.flatMap(\.exits))
        #expect(dot.contains(#""back\\slash""#))

        // Graphviz itself, when installed, reads the file.
        let which = Process()
        which.executableURL = URL(fileURLWithPath: "/bin/sh")
        which.arguments = ["-c", "command -v dot"]
        let found = Pipe()
        which.standardOutput = found
        try which.run()
        which.waitUntilExit()
        let dotPath = String(decoding: found.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard which.terminationStatus == 0, !dotPath.isEmpty else {
            print("note: Graphviz dot is not installed; the DOT output was checked by the reader of this test only")
            return
        }
        for text in [dot, ProcessDiagram.dot(for: DiagramFixtures.large())] {
            let input = Pipe(), output = Pipe(), errors = Pipe()
            let run = Process()
            run.executableURL = URL(fileURLWithPath: dotPath)
            run.arguments = ["-Tsvg"]
            run.standardInput = input
            run.standardOutput = output
            run.standardError = errors
            try run.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            _ = output.fileHandleForReading.readDataToEndOfFile()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            #expect(run.terminationStatus == 0, "dot: \(message)")
        }
    }

    /// The double-quoted strings of a DOT line, unescaped (`\"` and `\\`; `\n` as a line break).
    static func quotedStrings(_ line: String) throws -> [String] {
        var result: [String] = [], current: String?, escaped = false
        for character in line {
            guard var text = current else {
                if character == "\"" { current = "" }
                continue
            }
            if escaped {
                text.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                result.append(text)
                current = nil
                continue
            } else {
                text.append(character)
            }
            current = text
        }
        #expect(current == nil, "unterminated string in \(line)")
        return result
    }

    @Test("Mermaid: ids of letters, digits and _, unique; labels without quotes or pipes that end them")
    func mermaid() throws {
        let process = Self.process()
        let text = ProcessDiagram.mermaid(for: process)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "flowchart LR")
        var ids: [String] = [], labels: [String] = []
        for line in lines.dropFirst() where line.hasPrefix("  s_") && line.hasSuffix("\"]") {
            let open = try #require(line.range(of: "[\""))
            let id = String(line[line.index(line.startIndex, offsetBy: 2)..<open.lowerBound])
            ids.append(id)
            let label = String(line[open.upperBound..<line.index(line.endIndex, offsetBy: -2)])
            #expect(!label.contains("\"") && !label.replacingOccurrences(of: "<br/>", with: "").contains("<"), "label \(label)")
            labels.append(Self.unescape(label))
        }
        #expect(ids.count == process.shapes.count)
        #expect(Set(ids).count == ids.count, "ids \(ids)")
        for id in ids {
            #expect(id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
        }
        #expect(ids.contains("s_end") && ids.contains("s_s_p_q") && ids.contains("s_s_p_q_2"))
        #expect(labels.map { $0.components(separatedBy: "<br/>")[0] } == process.shapes.map(\.id))
        for line in lines where line.contains("-->|") {
            let parts = line.components(separatedBy: "|")
            #expect(parts.count == 3, "edge label breaks the line: \(line)")
            #expect(parts[1].hasPrefix("\"") && parts[1].hasSuffix("\"") && parts[1].dropFirst().dropLast().allSatisfy { $0 != "\"" })
        }
    }

    static func unescape(_ text: String) -> String {
        var result = text
        for (code, character) in [("#quot;", "\""), ("#lt;", "<"), ("#gt;", ">"), ("#amp;", "&"), ("#124;", "|"),
                                  ("#96;", "`"), ("#35;", "#")] {
            result = result.replacingOccurrences(of: code, with: character)
        }
        return result
    }
}
