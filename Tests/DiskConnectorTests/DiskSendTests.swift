import Foundation
import ProcessEngine
import Testing
import TestSupport
@testable import DiskConnector

@Suite struct DiskSendTests {
    func documents(_ range: Range<Int>, payload: String = "") -> [Document] {
        range.map { Document(data: Array("{\"n\":\($0)\(payload)}".utf8), properties: ["f": $0 % 2 == 0 ? "even" : "odd"], index: $0) }
    }

    @Test func appendWritesEveryBatchInOrderToOneFilePerName() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("out/{f}.jsonl"), append: true)
        let first = try await send.execute(documents(0..<5), context: testContext)
        // Written documents are in the file as soon as the batch returns.
        #expect(folder.read("out/even.jsonl") == "{\"n\":0}\n{\"n\":2}\n{\"n\":4}\n")
        let second = try await send.execute(documents(5..<8), context: testContext)
        await send.close()
        #expect(first.outputs.map(\.index) == [0, 1, 2, 3, 4])
        #expect(second.outputs.map(\.index) == [5, 6, 7])
        #expect(first.outputs.first?.properties["disk.fileName"] == "out/even.jsonl")
        #expect(folder.read("out/even.jsonl") == "{\"n\":0}\n{\"n\":2}\n{\"n\":4}\n{\"n\":6}\n")
        #expect(folder.read("out/odd.jsonl") == "{\"n\":1}\n{\"n\":3}\n{\"n\":5}\n{\"n\":7}\n")
    }

    @Test func largeBatchesAreFlushedAsTheBufferFills() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("big.jsonl"), append: true)
        let payload = ",\"pad\":\"" + String(repeating: "x", count: 1_000) + "\""
        let outcome = try await send.execute(documents(0..<10_000, payload: payload), context: testContext)
        await send.close()
        #expect(outcome.outputs.count == 10_000)
        let text = try #require(folder.read("big.jsonl"))
        let lines = text.split(separator: "\n")
        #expect(lines.count == 10_000)
        #expect(lines.first == "{\"n\":0\(payload)}")
        #expect(lines.last == "{\"n\":9999\(payload)}")
    }

    /// Documents of every size around the buffer's growth steps (64 KB, doubling, the 4 MB flush),
    /// one larger than the flush, empty ones and ones ending in a line break, over several batches:
    /// the file holds each once, in order, on its own line.
    @Test func documentsOfEverySizeArriveWhole() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("sizes.jsonl"), append: true)
        var generator = SeededGenerator(seed: 7)
        let sizes = [0, 1, 65_535, 65_536, 65_537, 131_071, 131_072, 5_000_000, 2, 4 << 20, 3] + (0..<60).map { _ in
            Int(generator.next() % 300_000)
        }
        var expected = ""
        var batch: [Document] = []
        for (index, size) in sizes.enumerated() {
            let endsWithBreak = index % 5 == 3
            let body = String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: size)
            let text = body + (endsWithBreak ? "\n" : "")
            expected += text + (endsWithBreak ? "" : "\n")
            batch.append(Document(data: Array(text.utf8), index: index))
            if batch.count == 7 {
                _ = try await send.execute(batch, context: testContext)
                batch = []
            }
        }
        _ = try await send.execute(batch, context: testContext)
        await send.close()
        let written = try #require(folder.read("sizes.jsonl"))
        #expect(written.utf8.count == expected.utf8.count)
        #expect(written == expected)
    }

    @Test func namesLeavingTheDirectoryFailOnlyTheirDocuments() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("{name}"), append: true)
        let inputs = [
            Document(data: Array("a".utf8), properties: ["name": "ok.txt"], index: 0),
            Document(data: Array("b".utf8), properties: ["name": "../escape.txt"], index: 1),
            Document(data: Array("c".utf8), properties: ["name": "ok.txt"], index: 2),
        ]
        let outcome = try await send.execute(inputs, context: testContext)
        await send.close()
        #expect(outcome.outputs.map(\.index) == [0, 2])
        #expect(outcome.failures.map(\.document.index) == [1])
        #expect(outcome.failures.first?.message.contains("leaves the connection's directory") == true)
        #expect(folder.read("ok.txt") == "a\nc\n")
    }

    @Test func withoutAppendEachDocumentReplacesItsFile() async throws {
        let folder = try TemporaryFolder()
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("one.json"), append: false)
        _ = try await send.execute(documents(0..<3), context: testContext)
        await send.close()
        #expect(folder.read("one.json") == "{\"n\":2}")
    }

    @Test func anUnwritableTargetFailsTheDocumentsWithThePath() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path + "/taken.jsonl", withIntermediateDirectories: true)
        let send = try DiskSendOperation(directory: folder.path, fileName: InterpolatedText("taken.jsonl"), append: true)
        let outcome = try await send.execute(documents(0..<2), context: testContext)
        await send.close()
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.count == 2)
        #expect(outcome.failures.first?.message.contains("taken.jsonl") == true)
    }
}
