import ProcessModel
import Synchronization

/// Failures collected inside one tryCatch scope. Owned by the single task running the execution.
final class CatchScope {
    /// Unique across executions, so documents handed to a called process keep distinct tags.
    let id: Int
    var failures: [CaughtFailure] = []

    private static let counter = Atomic<Int>(0)

    init() {
        id = Self.counter.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// A scope standing for an open scope of a parent run inside a lane: its failures are handed
    /// to the parent's scope with the same id.
    init(id: Int) {
        self.id = id
    }
}

/// A document that failed inside a tryCatch scope.
struct CaughtFailure: Sendable {
    var document: Document
    var message: String
    var code: DocumentError.Code
    var shapeID: String
}

/// Thrown to end the start shape early after `<stop continue="false">`.
struct StopSignal: Error {}

extension Document {
    /// The document property a tryCatch shape sets to the error message on documents it catches.
    public static let errorMessageProperty = "error.message"
    /// The ``DocumentError/Code`` of the failure that sent a document to a tryCatch shape's onError path.
    public static let errorCodeProperty = "error.code"
    /// The document property a tryCatch shape sets to the id of the shape where the document failed.
    public static let errorShapeProperty = "error.shape"
}

extension ExecutionRun {
    /// Sends documents down `next`; those that fail there are sent again up to `retries` times,
    /// then go to `onError` with `error.message` and `error.shape` set.
    func runTryCatch(shape: ShapeDefinition, _ definition: TryCatchDefinition, documents: [Document]) async throws {
        var pending = documents
        var attempt = 0
        while !pending.isEmpty {
            let scope = CatchScope()
            var tagged = pending
            for position in tagged.indices { tagged[position].tryOrigins[scope.id] = position }
            catchScopes.append(scope)
            tally(shape.id) { $0.documentsOut += tagged.count }
            do {
                try await push(tagged, to: definition.next)
            } catch {
                catchScopes.removeLast()
                throw error
            }
            catchScopes.removeLast()
            guard !scope.failures.isEmpty else { return }

            var firstFailure: [Int: CaughtFailure] = [:]
            var untraced: [Document] = []
            for failure in scope.failures {
                if let position = failure.document.tryOrigins[scope.id], position < pending.count {
                    if firstFailure[position] == nil { firstFailure[position] = failure }
                } else {
                    // A document made downstream (by a split, or returned by a call) cannot be
                    // sent again from `next`: it goes to onError as it failed.
                    untraced.append(caught(failure.document, failure, scope: scope))
                }
            }
            let positions = firstFailure.keys.sorted()
            if attempt < definition.retries, !positions.isEmpty {
                attempt += 1
                try await push(untraced, to: definition.onError)
                pending = positions.map { pending[$0] }
                continue
            }
            let errors = positions.compactMap { position in
                firstFailure[position].map { caught(pending[position], $0, scope: scope) }
            }
            try await push(errors + untraced, to: definition.onError)
            return
        }
    }

    private func caught(_ document: Document, _ failure: CaughtFailure, scope: CatchScope) -> Document {
        var document = document
        document.tryOrigins[scope.id] = nil
        document.properties[Document.errorMessageProperty] = failure.message
        document.properties[Document.errorCodeProperty] = failure.code.rawValue
        document.properties[Document.errorShapeProperty] = failure.shapeID
        return document
    }

    /// Fails every document with the interpolated message.
    func runException(shape: ShapeDefinition, message: String, documents: [Document]) {
        let text: InterpolatedText
        do {
            text = try InterpolatedText(message)
        } catch {
            for document in documents {
                fail(document, at: shape, message: "exception message: \(error)", code: DocumentError.code(of: error, else: .setting))
            }
            return
        }
        let context = operationContext(shapeID: shape.id)
        for document in documents {
            do {
                fail(document, at: shape, message: try context.interpolate(text, for: document), code: .exception)
            } catch {
                fail(document, at: shape, message: "exception message: \(error)", code: DocumentError.code(of: error, else: .setting))
            }
        }
    }

    /// Adds a user log line per document; warning and error lines make the execution COMPLETE_WARN.
    func runNotify(shape: ShapeDefinition, _ definition: NotifyDefinition, documents: [Document],
                   next: String) async throws {
        let text: InterpolatedText
        do {
            text = try InterpolatedText(definition.message)
        } catch {
            for document in documents {
                fail(document, at: shape, message: "notify message: \(error)", code: DocumentError.code(of: error, else: .setting))
            }
            return
        }
        let context = operationContext(shapeID: shape.id)
        var outputs: [Document] = []
        outputs.reserveCapacity(documents.count)
        for document in documents {
            do {
                let line = try context.interpolate(text, for: document)
                execution.userLog.append("\(definition.level.rawValue.uppercased()) \(shape.id): \(line)")
                if definition.level != .info { warnings += 1 }
                outputs.append(document)
            } catch {
                fail(document, at: shape, message: "notify message: \(error)", code: DocumentError.code(of: error, else: .setting))
            }
        }
        tally(shape.id) { $0.documentsOut += outputs.count }
        try await push(outputs, to: next)
    }
}
