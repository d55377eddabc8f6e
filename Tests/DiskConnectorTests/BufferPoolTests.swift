import Testing
import ProcessEngine
@testable import DiskConnector

@Suite struct BufferPoolTests {
    func address(_ bytes: [UInt8]) -> UInt {
        bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }

    @Test func recycledBuffersComeBackEmptyWithTheirStorage() {
        var pool = BufferPool()
        var documents = [Document(data: [UInt8](repeating: 7, count: 100)), Document(data: [1, 2, 3])]
        let addresses = Set(documents.map { address($0.data) })
        pool.recycle(&documents)
        #expect(documents.isEmpty)
        let first = pool.take()
        let second = pool.take()
        #expect(first.isEmpty && second.isEmpty)
        #expect(first.capacity >= 3 && second.capacity >= 3)
        #expect(Set([address(first), address(second)]) == addresses)
        #expect(pool.take().capacity == 0)
    }

    @Test func aBufferStillHeldElsewhereIsNeverChanged() {
        var pool = BufferPool()
        let held = Document(data: [1, 2, 3])
        var documents = [held]
        pool.recycle(&documents)
        var reused = pool.take()
        reused.append(contentsOf: [9, 9, 9, 9])
        #expect(held.data == [1, 2, 3])
        #expect(address(reused) != address(held.data))
    }

    @Test func largeBuffersAreNotKept() {
        var pool = BufferPool()
        var documents = [Document(data: [UInt8](repeating: 1, count: BufferPool.maximumCapacity + 1))]
        pool.recycle(&documents)
        #expect(pool.take().capacity == 0)
    }

    @Test func documentsLeftInAChunkLendTheirBuffersToLaterOnes() async throws {
        let folder = try TemporaryFolder()
        let lines = (0..<50).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "x", count: $0 % 7))\"}" }
        try folder.write(lines.joined(separator: "\n") + "\n", to: "in.jsonl")
        let operation = DiskGetOperation(directory: folder.path, pattern: "*", split: .jsonLines, deleteAfterRead: false,
                                         chunkSize: 4, blockSize: 64, sliceSize: 16)
        var seen: [String] = []
        var numbers: [String?] = []
        var kept: [Document] = []
        try await operation.readInPlace(context: testContext) { documents in
            seen += documents.map(\.text)
            numbers += documents.map { $0.property("disk.line") }
            // The first chunk stays held (as a shape keeping documents would); the others are left
            // in the array for the operation to reuse.
            if kept.isEmpty { kept = documents }
        }
        #expect(seen == lines)
        #expect(numbers == (1...50).map { String($0) })
        #expect(!kept.isEmpty)
        #expect(kept.map(\.text) == Array(lines.prefix(kept.count)))
    }
}
