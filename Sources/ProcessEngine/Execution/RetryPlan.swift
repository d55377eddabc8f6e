import ProcessModel

/// What a retry execution sends through its process again: the failed documents of an earlier
/// execution, each entering the process at a given shape instead of being read by the start shape.
///
/// A retry execution has the trigger ``Trigger/retry`` and the original execution as its parent
/// (``ExecutionInfo/parentExecutionID``). Its documents are numbered anew.
public struct RetryPlan: Sendable {
    /// Documents that enter the process at one shape.
    public struct Entry: Sendable {
        /// The shape the documents are sent to.
        public var shapeID: String
        /// The documents, in their original order.
        public var documents: [Document]

        public init(shapeID: String, documents: [Document]) {
            self.shapeID = shapeID
            self.documents = documents
        }
    }

    /// The execution whose failed documents are sent again.
    public var originalExecutionID: String
    /// The documents by the shape they enter at, in the order they are sent.
    public var entries: [Entry]
    /// Lines the retry execution starts its user log with (what was not sent again, and why).
    public var notes: [String]

    public init(originalExecutionID: String, entries: [Entry], notes: [String] = []) {
        self.originalExecutionID = originalExecutionID
        self.entries = entries
        self.notes = notes
    }

    /// How many documents the retry sends.
    public var documentCount: Int { entries.reduce(0) { $0 + $1.documents.count } }
}

extension ExecutionRun {
    /// Sends the documents of a retry into their shapes, in chunks, as the start shape would.
    func runRetry(_ plan: RetryPlan) async throws {
        execution.userLog.append("retry of execution \(plan.originalExecutionID): sending \(plan.documentCount) "
                                 + "failed document(s) again")
        execution.userLog += plan.notes
        for entry in plan.entries {
            guard shape(entry.shapeID) != nil else {
                throw DocumentError("shape '\(entry.shapeID)' does not exist in process '\(process.id)' any more; "
                                    + "nothing was sent again", code: .process)
            }
            var offset = 0
            while offset < entry.documents.count {
                if stop.requested { throw StopSignal() }
                var chunk = Array(entry.documents[offset..<min(entry.documents.count, offset + runner.chunkSize)])
                offset += chunk.count
                let first = shared.newIndexes(chunk.count)
                for position in chunk.indices { chunk[position].index = first + position }
                if !isLane, ContinuousClock.now - recording.lastCheckpoint >= runner.countsInterval {
                    await checkpoint()
                }
                execution.documentsIn += chunk.count
                try await push(taking: &chunk, to: entry.shapeID)
            }
        }
    }
}
