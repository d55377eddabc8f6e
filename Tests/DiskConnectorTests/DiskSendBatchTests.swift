import Foundation
import ProcessEngine
import Testing
@testable import DiskConnector

@Suite struct DiskSendBatchTests {
    private func document(_ n: Int, name: String) -> Document {
        Document(data: Array("{\"n\":\(n)}".utf8), properties: ["name": name], index: n)
    }

    @Test func namesAlternatingInsideABatchKeepEachFileInOrderAndNameTheFile() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("sub/{name}.jsonl"),
                                         append: true)
        let names = ["a", "b", "a", "a", "c", "b"]
        let outcome = try await send.execute(names.enumerated().map { document($0.offset, name: $0.element) },
                                             context: testContext)
        let more = try await send.execute([document(6, name: "c"), document(7, name: "a")], context: testContext)
        await send.close()
        #expect(outcome.outputs.map(\.index) == [0, 1, 2, 3, 4, 5])
        #expect(outcome.outputs.map { $0.properties["disk.fileName"] } == names.map { "sub/\($0).jsonl" })
        #expect(more.outputs.map { $0.properties["disk.fileName"] } == ["sub/c.jsonl", "sub/a.jsonl"])
        #expect(folder.read("sub/a.jsonl") == "{\"n\":0}\n{\"n\":2}\n{\"n\":3}\n{\"n\":7}\n")
        #expect(folder.read("sub/b.jsonl") == "{\"n\":1}\n{\"n\":5}\n")
        #expect(folder.read("sub/c.jsonl") == "{\"n\":4}\n{\"n\":6}\n")
    }

    @Test func aBadNameInTheMiddleFailsOnlyItsDocumentAndTheFileStaysComplete() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("{name}"), append: true)
        let outcome = try await send.execute([document(0, name: "x.jsonl"), document(1, name: "/abs"),
                                              document(2, name: "x.jsonl")], context: testContext)
        await send.close()
        #expect(outcome.outputs.map(\.index) == [0, 2])
        #expect(outcome.failures.map(\.document.index) == [1])
        #expect(folder.read("x.jsonl") == "{\"n\":0}\n{\"n\":2}\n")
    }

    @Test func eachLineOfAJSONLinesFileCarriesItsLineNumberAndTheFileProperties() async throws {
        let folder = try TemporaryFolder()
        try "{\"a\":1}\n\n{\"a\":2}\n".write(toFile: folder.path + "/in.jsonl", atomically: true, encoding: .utf8)
        let get = DiskGetOperation(directory: folder.path, pattern: "*.jsonl", split: .jsonLines, deleteAfterRead: false)
        let documents = try await readChunks(get).flatMap { $0 }
        #expect(documents.map { $0.properties["disk.line"] } == ["1", "3"])
        #expect(documents.allSatisfy { $0.properties["disk.fileName"] == "in.jsonl" && $0.properties.count == 3 })
    }
}

/// A file that ends in the middle of a line (a run killed during a write left half a document):
/// appended documents start on a new line, the incomplete one stays, and the log says so.
@Suite struct DiskSendIncompleteLineTests {
    private func document(_ n: Int) -> Document {
        Document(data: Array("{\"n\":\(n)}".utf8), properties: [:], index: n)
    }

    @Test func appendedDocumentsStartOnANewLineAfterAnIncompleteOne() async throws {
        let folder = try TemporaryFolder()
        try "{\"n\":0}\n{\"n\":1,\"pa".write(toFile: folder.path + "/out.jsonl", atomically: true, encoding: .utf8)
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("out.jsonl"), append: true)
        let first = try await send.execute([document(2), document(3)], context: testContext)
        let second = try await send.execute([document(4)], context: testContext)
        await send.close()
        #expect(folder.read("out.jsonl") == "{\"n\":0}\n{\"n\":1,\"pa\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n")
        #expect(first.outputs.map(\.index) == [2, 3])
        #expect(first.logLines.count == 1)
        #expect(first.logLines.first?.contains("out.jsonl did not end with a line break") == true, "\(first.logLines)")
        #expect(second.logLines.isEmpty)
    }

    @Test func completeEmptyAndNewFilesGetNoExtraLineBreak() async throws {
        let folder = try TemporaryFolder()
        try "{\"n\":0}\n".write(toFile: folder.path + "/whole.jsonl", atomically: true, encoding: .utf8)
        try "".write(toFile: folder.path + "/empty.jsonl", atomically: true, encoding: .utf8)
        for name in ["whole.jsonl", "empty.jsonl", "new.jsonl"] {
            let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText(name), append: true)
            let outcome = try await send.execute([document(1)], context: testContext)
            await send.close()
            #expect(outcome.logLines.isEmpty, "\(name)")
        }
        #expect(folder.read("whole.jsonl") == "{\"n\":0}\n{\"n\":1}\n")
        #expect(folder.read("empty.jsonl") == "{\"n\":1}\n")
        #expect(folder.read("new.jsonl") == "{\"n\":1}\n")
    }
}
