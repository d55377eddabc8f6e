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
