import Foundation
import ProcessDiagram
import ProcessModel
import Testing

/// The diagrams of the example processes (and of the 40-shape process) are exactly the files
/// under Fixtures/, byte for byte. `CONVEYOR_UPDATE_GOLDEN=1` writes them anew instead (then
/// review the difference with git).
@Suite("golden diagrams")
struct GoldenDiagramTests {
    static let updating = ProcessInfo.processInfo.environment["CONVEYOR_UPDATE_GOLDEN"] == "1"

    static let extensions: [(DiagramFormat, String)] = [(.svg, "svg"), (.dot, "dot"), (.mermaid, "mmd")]

    static func examples() throws -> Workspace {
        try WorkspaceLoader(root: DiagramFixtures.packageRoot + "/examples", environment: [:],
                            secrets: DiagramFixtures.NoSecrets()).load()
    }

    /// Compares `text` with the golden file at `relative` under Fixtures/ (or writes it when updating).
    static func compare(_ text: String, golden relative: String,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let path = DiagramFixtures.testsDirectory + "/Fixtures/" + relative
        if updating {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("no golden file \(relative): run the test with CONVEYOR_UPDATE_GOLDEN=1 to write it",
                         sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected != text {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
            Issue.record("""
                \(relative) differs from the diagram drawn now, first at line \(line + 1):
                  golden: \(line < want.count ? String(want[line]) : "<end>")
                  drawn:  \(line < got.count ? String(got[line]) : "<end>")
                (CONVEYOR_UPDATE_GOLDEN=1 writes the new diagrams)
                """, sourceLocation: sourceLocation)
        }
    }

    @Test("every example process, in the three formats, is its golden file")
    func examplesMatchGoldenFiles() throws {
        let workspace = try Self.examples()
        let ids = workspace.processes.keys.sorted()
        #expect(ids.count >= 5, "examples/processes has \(ids)")
        for id in ids {
            let process = try #require(workspace.processes[id])
            for (format, ext) in Self.extensions {
                try Self.compare(ProcessDiagram.render(process, as: format), golden: "examples/\(id).\(ext)")
            }
            DiagramFixtures.checkLayout(DiagramLayout(graph: DiagramGraph(process: process)))
        }
    }

    @Test("the 40-shape process, in the three formats, is its golden file")
    func largeMatchesGoldenFiles() throws {
        let process = DiagramFixtures.large()
        for (format, ext) in Self.extensions {
            try Self.compare(ProcessDiagram.render(process, as: format), golden: "large/large.\(ext)")
        }
    }

    @Test("a diagram is the same drawn twice, and the same as in a separate run (the golden file)")
    func deterministic() {
        let process = DiagramFixtures.large()
        for format in DiagramFormat.allCases {
            #expect(ProcessDiagram.render(process, as: format) == ProcessDiagram.render(process, as: format))
        }
        // Shuffled annotation dictionaries (different hash orders) draw the same picture.
        var first: [String: ShapeAnnotation] = [:], second: [String: ShapeAnnotation] = [:]
        for shape in process.shapes { first[shape.id] = ShapeAnnotation(text: "1 in", cssClass: "ok") }
        for shape in process.shapes.reversed() { second[shape.id] = ShapeAnnotation(text: "1 in", cssClass: "ok") }
        #expect(ProcessDiagram.svg(for: process, annotations: first) == ProcessDiagram.svg(for: process, annotations: second))
    }
}
