import ProcessModel

/// Keeping documents' contents at connector shapes (`captureDocuments`, see ``DocumentCaptureMode``).
///
/// With `none` nothing here runs; with `errors` only documents that failed or were dead-lettered
/// reach it; with `all` every input and output of a connector shape does. The content is shared
/// with the document (no copy); the recorder redacts and cuts it when it stores it.
extension ExecutionRun {
    /// Keeps the content of `document` as it passed the shape of `key`.
    func capture(_ document: Document, key: TraceKey, direction: DocumentTrace.Direction, status: DocumentStatus,
                 error: String? = nil, code: DocumentError.Code? = nil) {
        recording.captures.append(CapturedDocument(
            shapeID: key.shapeID, connectionID: key.connectionID, operationID: key.operationID,
            direction: direction, index: document.index, status: status, content: document.data,
            properties: document.properties, error: error, errorCode: code, limit: process.captureLimit))
    }

    /// Keeps the inputs of a connector batch that the operation dead-lettered (mode `errors`), or
    /// every input with its outcome (mode `all`). Failed documents were kept by ``fail(_:at:message:code:connectionID:operationID:tracked:)``.
    func captureInputs(_ documents: [Document], key: TraceKey, failed: Set<Int>, applicationErrors: Set<Int>,
                       deadLettered: [Int: String]) {
        switch process.captureDocuments {
        case .none:
            return
        case .errors:
            guard !deadLettered.isEmpty else { return }
            for document in documents where !failed.contains(document.index) {
                guard let reason = deadLettered[document.index] else { continue }
                capture(document, key: key, direction: .input, status: .deadLettered, error: reason,
                        code: .deadLettered)
            }
        case .all:
            for document in documents where !failed.contains(document.index) {
                if let reason = deadLettered[document.index] {
                    capture(document, key: key, direction: .input, status: .deadLettered, error: reason,
                            code: .deadLettered)
                } else {
                    capture(document, key: key, direction: .input,
                            status: applicationErrors.contains(document.index) ? .applicationError : .success)
                }
            }
        }
    }

    /// Keeps every output of a connector batch (mode `all`).
    func captureOutputs(_ documents: [Document], key: TraceKey, applicationErrors: Set<Int>) {
        guard process.captureDocuments == .all else { return }
        for document in documents {
            capture(document, key: key, direction: .output,
                    status: applicationErrors.contains(document.index) ? .applicationError : .success)
        }
    }

    /// Passes the contents kept so far to the recorder. A content that cannot be stored fails the
    /// execution as a tracking record would: no further chunk is read.
    func flushCaptures() async {
        guard !isLane, !recording.captures.isEmpty else { return }
        let batch = recording.captures
        recording.captures.removeAll(keepingCapacity: true)
        do {
            try await runner.recorder.captured(batch, in: info)
        } catch {
            recording.failure = recording.failure ?? "could not record document contents: \(error)"
            stop.requested = true
        }
    }
}
