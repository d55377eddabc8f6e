import Foundation
import ProcessEngine
import Testing
import TestSupport
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

/// The batch handed over (`executeInPlace`) and the batch copied (`execute`) give the same outcome
/// and the same files; the copied batch's caller keeps its documents as they were.
@Suite struct DiskSendInPlaceTests {
    private func batch(_ count: Int, seed: UInt64) -> [Document] {
        var generator = SeededGenerator(seed: seed)
        let names = ["a.jsonl", "b.jsonl", "/abs", "../out.jsonl", "sub/c.jsonl", ""]
        return (0..<count).map { n in
            let name = names[Int(generator.next() % UInt64(names.count))]
            return Document(data: Array("{\"n\":\(n)}".utf8), properties: ["name": name], index: n)
        }
    }

    @Test(arguments: [true, false])
    func handedOverEqualsCopied(append: Bool) async throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            let copiedFolder = try TemporaryFolder()
            let inPlaceFolder = try TemporaryFolder()
            let copied = try DiskSendOperation(directory: copiedFolder.path, fileName: InterpolatedText("{name}"), append: append)
            let inPlace = try DiskSendOperation(directory: inPlaceFolder.path, fileName: InterpolatedText("{name}"), append: append)
            let documents = batch(40, seed: seed)
            let copiedOutcome = try await copied.execute(documents, context: testContext)
            var handed = batch(40, seed: seed)
            let inPlaceOutcome = try await inPlace.executeInPlace(&handed, context: testContext)
            await copied.close()
            await inPlace.close()
            func describe(_ outcome: OperationOutcome) -> [String] {
                outcome.outputs.map { "\($0.index) \(String(decoding: $0.data, as: UTF8.self)) \($0.properties.sorted { $0.key < $1.key })" }
                    + outcome.failures.map { "failed \($0.document.index) \($0.message)" }
            }
            #expect(describe(inPlaceOutcome).map { $0.replacingOccurrences(of: inPlaceFolder.path, with: "") }
                    == describe(copiedOutcome).map { $0.replacingOccurrences(of: copiedFolder.path, with: "") })
            // What the batch must give, worked out without the operation: the documents with a
            // name inside the folder go on, in order, naming their file; the others fail.
            let valid: Set<String> = ["a.jsonl", "b.jsonl", "sub/c.jsonl"]
            let expected = documents.filter { valid.contains($0.properties["name"] ?? "") }
            #expect(inPlaceOutcome.outputs.map(\.index) == expected.map(\.index))
            #expect(inPlaceOutcome.outputs.map { $0.properties["disk.fileName"] } == expected.map { $0.properties["name"] })
            #expect(inPlaceOutcome.outputs.map(\.data) == expected.map(\.data))
            #expect(inPlaceOutcome.failures.map(\.document.index) == documents.filter { !valid.contains($0.properties["name"] ?? "") }.map(\.index))
            #expect(inPlaceOutcome.failures.allSatisfy { $0.document.properties["disk.fileName"] == nil })
            for name in valid where append {
                let lines = expected.filter { $0.properties["name"] == name }.map { String(decoding: $0.data, as: UTF8.self) + "\n" }
                #expect((inPlaceFolder.read(name) ?? "") == lines.joined(), "\(name), seed \(seed)")
            }
            #expect(!copiedOutcome.failures.isEmpty && !copiedOutcome.outputs.isEmpty)
            #expect(handed.isEmpty, "the documents moved into the outcome")
            // The caller's copy is untouched: no disk.fileName on it.
            #expect(documents.allSatisfy { $0.properties["disk.fileName"] == nil })
            for name in ["a.jsonl", "b.jsonl", "sub/c.jsonl"] {
                #expect(inPlaceFolder.read(name) == copiedFolder.read(name), "\(name), seed \(seed)")
            }
        }
    }
}
