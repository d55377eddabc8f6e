import Foundation
import ProcessEngine
import Testing
@testable import DiskConnector

/// File names, whether written in the operation or taken from a document property, never lead
/// outside the connection's directory: not with `..`, not as absolute paths, not through links.
@Suite struct SecurityDiskTests {
    /// A directory outside the connection's, and the connection's directory itself.
    final class Layout {
        let outside: TemporaryFolder
        let inside: TemporaryFolder

        init() throws {
            outside = try TemporaryFolder()
            inside = try TemporaryFolder()
        }

        func link(_ name: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: inside.path + "/" + name, withDestinationPath: target)
        }

        /// Every entry left in the outside directory.
        var outsideEntries: [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: outside.path).sorted()) ?? []
        }
    }

    func send(_ layout: Layout, names: [String], append: Bool) async throws -> OperationOutcome {
        let send = try DiskSendOperation(directory: layout.inside.path, fileName: InterpolatedText("{name}"), append: append)
        let documents = names.enumerated().map { index, name in
            Document(data: Array("doc \(index)".utf8), properties: ["name": name], index: index)
        }
        let outcome = try await send.execute(documents, context: testContext)
        await send.close()
        return outcome
    }

    @Test(arguments: [true, false])
    func traversalAndAbsoluteNamesFailTheirDocuments(append: Bool) async throws {
        let layout = try Layout()
        let escapes = [
            "../x.txt", "a/../../x.txt", "./../x.txt", "a/b/../../../x.txt",
            layout.outside.path + "/abs.txt", "/etc/conveyor-test.txt", "", "..", "a/..",
        ]
        let outcome = try await send(layout, names: escapes + ["fine/ok.txt"], append: append)
        #expect(outcome.outputs.map(\.index) == [escapes.count])
        #expect(outcome.failures.count == escapes.count)
        for failure in outcome.failures {
            #expect(failure.message.contains("connection's directory"), "\(failure.message)")
        }
        #expect(layout.outsideEntries.isEmpty)
        #expect(layout.inside.read("fine/ok.txt")?.hasPrefix("doc \(escapes.count)") == true)
        #expect(!FileManager.default.fileExists(atPath: "/etc/conveyor-test.txt"))
    }

    @Test(arguments: [true, false])
    func aLinkedSubdirectoryLeadingOutsideIsRefused(append: Bool) async throws {
        let layout = try Layout()
        try layout.link("sub", to: layout.outside.path)
        let outcome = try await send(layout, names: ["sub/x.txt", "sub/deeper/y.txt", "ok.txt"], append: append)
        #expect(outcome.outputs.map(\.index) == [2])
        #expect(outcome.failures.map(\.document.index) == [0, 1])
        #expect(outcome.failures.first?.message.contains("symbolic link") == true, "\(outcome.failures)")
        #expect(layout.outsideEntries.isEmpty)
    }

    @Test(arguments: [true, false])
    func aLinkedFileIsNotWrittenThrough(append: Bool) async throws {
        let layout = try Layout()
        try layout.outside.write("original", to: "target.txt")
        try layout.link("out.txt", to: layout.outside.path + "/target.txt")
        let outcome = try await send(layout, names: ["out.txt"], append: append)
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.count == 1)
        #expect(layout.outside.read("target.txt") == "original")
    }

    @Test func aLinkInsideTheDirectoryToItsOwnFolderStillWorks() async throws {
        let layout = try Layout()
        try FileManager.default.createDirectory(atPath: layout.inside.path + "/real", withIntermediateDirectories: true)
        try layout.link("alias", to: layout.inside.path + "/real")
        let outcome = try await send(layout, names: ["alias/x.txt"], append: false)
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(layout.inside.read("real/x.txt") == "doc 0")
    }

    @Test func getRefusesALinkToAFileOutside() async throws {
        let layout = try Layout()
        try layout.outside.write("{\"secret\":1}\n", to: "passwd.jsonl")
        try layout.inside.write("{\"n\":1}\n", to: "a.jsonl")
        try layout.link("b.jsonl", to: layout.outside.path + "/passwd.jsonl")
        let get = DiskGetOperation(directory: layout.inside.path, pattern: "*.jsonl", split: .jsonLines, deleteAfterRead: false)
        var texts: [String] = []
        await #expect(throws: DiskError.self) {
            try await get.read(context: testContext) { texts += $0.map(\.text) }
        }
        #expect(texts == ["{\"n\":1}"])
        #expect(!texts.contains { $0.contains("secret") })
    }

    @Test func getReadsALinkToAFileInside() async throws {
        let layout = try Layout()
        try layout.inside.write("{\"n\":1}\n", to: "a.jsonl")
        try layout.link("b.jsonl", to: layout.inside.path + "/a.jsonl")
        let get = DiskGetOperation(directory: layout.inside.path, pattern: "*.jsonl", split: .jsonLines, deleteAfterRead: false)
        #expect(try await readTexts(get) == ["{\"n\":1}", "{\"n\":1}"])
    }

    @Test func containmentComparesWholeStandardisedComponents() {
        #expect(DiskConnector.staysInside("/a/b/../c", directory: "/a/b") == false)
        #expect(DiskConnector.staysInside("/a/b/c/d", directory: "/a/b") == true)
        #expect(DiskConnector.staysInside("/a/bc", directory: "/a/b") == false)
    }
}
