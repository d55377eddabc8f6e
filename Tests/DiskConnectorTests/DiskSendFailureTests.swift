import Foundation
import ProcessEngine
import Testing
@testable import DiskConnector

/// A disk that fills up mid-write (a 64 KB tmpfs): a failed replace leaves the old file, a failed
/// append batch leaves the file byte-identical to before it, and no temporary file stays behind.
@Suite(.serialized) struct DiskSendFailureTests {
    /// A 64 KB tmpfs mounted for one test (the tests run as root, as in the project's containers).
    final class SmallDisk {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-full-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let mount = Process()
            mount.executableURL = URL(fileURLWithPath: "/bin/mount")
            mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", path]
            try mount.run()
            mount.waitUntilExit()
            #expect(mount.terminationStatus == 0, "mounting a tmpfs needs root")
        }

        deinit {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [path]
            try? umount.run()
            umount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: path)
        }

        func contents(_ name: String) -> Data? { FileManager.default.contents(atPath: path + "/" + name) }
        var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    }

    func document(_ text: String, index: Int = 0) -> Document {
        Document(data: Array(text.utf8), properties: [:], index: index)
    }

    @Test func aFailedReplaceLeavesTheOldFileAndNoTemporaryFile() async throws {
        let disk = try SmallDisk()
        let old = Data(("old content " + String(repeating: "o", count: 20_000)).utf8)
        try old.write(to: URL(fileURLWithPath: disk.path + "/out.json"))
        let send = try DiskSendOperation(directory: disk.path, fileName: InterpolatedText("out.json"), append: false)
        let big = String(repeating: "n", count: 100_000)
        let outcome = try await send.execute([document(big)], context: testContext)
        await send.close()
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.message.contains("out.json") == true, "\(outcome.failures)")
        #expect(disk.contents("out.json") == old)
        #expect(disk.names == ["out.json"])

        // A document that fits replaces the file whole.
        let again = try DiskSendOperation(directory: disk.path, fileName: InterpolatedText("out.json"), append: false)
        let fits = try await again.execute([document("{\"new\":true}")], context: testContext)
        #expect(fits.outputs.count == 1)
        #expect(disk.contents("out.json") == Data("{\"new\":true}".utf8))
        #expect(disk.names == ["out.json"])
    }

    /// Appends a batch of 40 documents of 2 KB to `out.jsonl` holding `before`: the disk fills part
    /// way through its write, every document fails naming the file, and the file is as it was.
    /// Returns the operation, for the batch after.
    func failAppendBatch(on disk: SmallDisk, before: Data) async throws -> DiskSendOperation {
        try before.write(to: URL(fileURLWithPath: disk.path + "/out.jsonl"))
        let send = try DiskSendOperation(directory: disk.path, fileName: InterpolatedText("out.jsonl"), append: true)
        let documents = (0..<40).map { document("{\"n\":\($0),\"pad\":\"" + String(repeating: "x", count: 2_000) + "\"}",
                                                index: $0) }
        let failed = try await send.execute(documents, context: testContext)
        #expect(failed.outputs.isEmpty)
        #expect(failed.failures.count == 40)
        #expect(failed.failures.first?.message.contains("out.jsonl") == true, "\(failed.failures.first?.message ?? "")")
        #expect(disk.contents("out.jsonl") == before)
        return send
    }

    @Test func aFailedAppendBatchLeavesTheFileAsItWas() async throws {
        let disk = try SmallDisk()
        let send = try await failAppendBatch(on: disk, before: Data("{\"n\":0}\n{\"n\":1}\n".utf8))
        // The next batch appends whole lines right after the old ones.
        let next = try await send.execute([document("{\"n\":2}", index: 0)], context: testContext)
        await send.close()
        #expect(next.outputs.count == 1)
        #expect(disk.contents("out.jsonl") == Data("{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n".utf8))
        #expect(disk.names == ["out.jsonl"])
    }

    /// A file ending in the middle of a line (see `DiskSendIncompleteLineTests`), and a batch that fails.
    @Test func aFailedBatchOnAFileEndingMidLineLeavesItAsItWasAndTheNextStillStartsOnANewLine() async throws {
        let disk = try SmallDisk()
        let send = try await failAppendBatch(on: disk, before: Data("{\"n\":0}\n{\"n\":1,\"pa".utf8))
        // The next batch starts on a new line after the incomplete one.
        let next = try await send.execute([document("{\"n\":2}", index: 0)], context: testContext)
        await send.close()
        #expect(next.outputs.count == 1)
        #expect(disk.contents("out.jsonl") == Data("{\"n\":0}\n{\"n\":1,\"pa\n{\"n\":2}\n".utf8))
    }
}
