import Foundation
import ProcessEngine
import Synchronization

/// A disk operation whose connection `<directory>` or `get` `<filePattern>` holds `{process:…}`
/// or `{execution:…}` placeholders: they are filled from the execution's process properties each
/// time the operation reads or writes, and the work goes to a plain operation for the result.
final class DiskTemplateOperation: ConnectorOperation {
    enum Action {
        case get(pattern: InterpolatedText, split: DiskSplit, header: Bool, deleteAfterRead: Bool)
        case send(fileName: InterpolatedText, append: Bool)
    }

    let directory: InterpolatedText
    let root: String
    let action: Action
    /// One send operation per directory this execution wrote to (append files stay open in it).
    private let senders = Mutex<[String: DiskSendOperation]>([:])

    init(directory: InterpolatedText, root: String, action: Action) {
        self.directory = directory
        self.root = root
        self.action = action
    }

    var readsWithoutSideEffects: Bool {
        if case .get(_, _, _, let deleteAfterRead) = action { return !deleteAfterRead }
        return false
    }

    /// Fills process and execution placeholders (the templates hold no document placeholders).
    private func render(_ text: InterpolatedText, _ context: OperationContext, what: String) throws -> String {
        do {
            return try text.render(document: Document(data: [], properties: [:]),
                                   processProperties: context.processProperties, execution: context.execution)
        } catch {
            throw DiskError("\(what): \(error)")
        }
    }

    private func resolvedDirectory(_ context: OperationContext) throws -> String {
        let text = try render(directory, context, what: "the connection's <directory>")
        guard !text.isEmpty else { throw DiskError("the connection's <directory> is empty once its placeholders are filled") }
        return DiskConnector.resolve(text, in: root)
    }

    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        try await readInPlace(context: context, handOver: { (documents: inout [Document]) in try await emit(documents) })
    }

    func readInPlace(context: OperationContext, handOver: (inout [Document]) async throws -> Void) async throws {
        guard case .get(let patternText, let split, let header, let deleteAfterRead) = action else {
            throw DocumentError("this operation cannot start a process: it reads no documents", code: .process)
        }
        let pattern = try render(patternText, context, what: "<filePattern>")
        guard !pattern.contains("/") else {
            throw DiskError("filePattern '\(pattern)' cannot contain '/' once its placeholders are filled")
        }
        let operation = DiskGetOperation(directory: try resolvedDirectory(context), pattern: pattern, split: split,
                                         header: header, deleteAfterRead: deleteAfterRead)
        try await operation.readInPlace(context: context, handOver: handOver)
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        guard case .send(let fileName, let append) = action else {
            throw DiskError("a disk get operation does not take documents")
        }
        let directory: String
        do {
            directory = try resolvedDirectory(context)
        } catch {
            return OperationOutcome(outputs: [], failures: documents.map { DocumentFailure(document: $0, error: error) })
        }
        let sender = try senders.withLock { senders in
            if let known = senders[directory] { return known }
            let made = try DiskSendOperation(directory: directory, fileName: fileName, append: append)
            senders[directory] = made
            return made
        }
        return try await sender.execute(documents, context: context)
    }

    func close() async {
        let all = senders.withLock { senders in
            defer { senders.removeAll() }
            return Array(senders.values)
        }
        for sender in all { await sender.close() }
    }
}
