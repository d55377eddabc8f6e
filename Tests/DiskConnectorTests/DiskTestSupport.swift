import Foundation
import ProcessEngine
import ProcessModel
@testable import DiskConnector

/// A fresh directory for one test, removed when the value goes away.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-disk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + name).map { String(decoding: $0, as: UTF8.self) }
    }
}

let testContext = OperationContext(
    execution: ExecutionInfo(id: "exec-1", processID: "p", processName: "P", startTime: Date(), trigger: .manual),
    shapeID: "shape", processProperties: [:], environment: [:])

/// Reads every document of the folder's files with a get operation; returns the emitted chunks.
func readChunks(_ operation: DiskGetOperation) async throws -> [[Document]] {
    var chunks: [[Document]] = []
    try await operation.read(context: testContext) { chunks.append($0) }
    return chunks
}

/// The text of every document read, in order.
func readTexts(_ operation: DiskGetOperation) async throws -> [String] {
    try await readChunks(operation).flatMap { $0.map(\.text) }
}
