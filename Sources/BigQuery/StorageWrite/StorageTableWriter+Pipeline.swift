import BigQueryStorage
import Foundation
import GRPCCore
import ProcessEngine
import SwiftProtobuf

extension StorageTableWriter {
    /// The outcome of one `AppendRows` request.
    enum AppendResult: Sendable {
        case ok
        /// Row errors by index within the request: none of its rows were written.
        case rowErrors([Int: String])
        case status(StorageWriteError)
    }

    /// Loads the schema and the checkpoint, and opens the write stream, on first use.
    func prepare() async throws {
        if schema == nil { try await loadSchema() }
        guard stream == nil else { return }
        guard options.exactlyOnce else {
            stream = "projects/\(table.project)/datasets/\(table.dataset)/tables/\(table.table)/streams/_default"
            return
        }
        if let checkpoints, !claimed {
            // The checkpoint belongs to one execution at a time: taken over only from an execution
            // that has ended, never shared with one that is still running.
            switch try checkpoints.claimCheckpoint(processID: options.processID, destination: table.description,
                                                        executionID: options.executionID) {
            case .held(let owner):
                throw StorageWriteRefusal(table: table, processID: options.processID, owner: owner,
                                          sameExecution: owner == options.executionID)
            case .fresh:
                claimed = true
            case .resumed(let checkpoint):
                claimed = true
                if !checkpoint.stream.isEmpty {
                    stream = checkpoint.stream
                    nextOffset = checkpoint.nextOffset
                    resumeRows = checkpoint.rowsDone
                    savedRows = checkpoint.rowsDone
                    savedOffset = checkpoint.nextOffset
                    return
                }
            }
        }
        // Saved before the first append, so a crash after it resumes this stream, not a new one.
        stream = try await createStream()
        try saveCheckpoint(rowsDone: seen)
    }

    /// The wait before resending `request` after failed attempt number `attempt` (the connection's
    /// backoff, half to all of its ceiling), told to ``Options/onWait`` before it begins.
    func announcedBackoff(_ request: String, attempt: Int, reason: String) -> Duration {
        let delay = options.retry.backoffCeiling(forRetry: attempt) * Double.random(in: 0.5...1)
        options.onWait(RetryNotice(request: request, attempt: attempt, maxAttempts: options.retry.maxAttempts,
                                   delay: delay, reason: reason))
        return delay
    }

    /// `CreateWriteStream` (COMMITTED), retried on transient statuses with the connection's backoff.
    private func createStream() async throws -> String {
        let operation = "opening the write stream for \(table)"
        var attempt = 0
        while true {
            do {
                return try await client.createWriteStream(table: table, committed: true)
            } catch let error as RPCError {
                let failure = Self.storageError(error, operation: operation)
                attempt += 1
                guard StorageWriteStatus.classify(failure) == .retry else { throw failure }
                guard attempt < options.retry.maxAttempts else {
                    throw StorageWriteError(code: failure.code, message: failure.message + " (after \(attempt) attempts)",
                                            operation: operation)
                }
                let delay = announcedBackoff("CreateWriteStream for \(table)", attempt: attempt, reason: failure.description)
                options.onRetry()
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Fetches the table schema and rebuilds the row descriptor and encoder.
    func loadSchema() async throws {
        let resource = try await fetchTable()
        let schema = try StorageSchema.parse(table: resource, name: table.description)
        self.schema = schema
        preparer = StorageRowPreparer(schema: schema, table: table.description, sink: options.sink)
        let written = options.sink.cdc ? schema.withChangeColumns() : schema
        encoder = ProtoRowEncoder(schema: written)
        fast = StorageFastRowEncoder(schema: schema, sink: options.sink)
        descriptor = written.descriptor()
        schemaGeneration += 1
        retireConnection()
    }

    /// Columns were added to the table: the next batch accepted reads its schema again.
    func schemaChanged() {
        schemaStale = true
    }

    /// Returns once every batch accepted before `ticket` has been sent to the end.
    func drain(before ticket: Int) async {
        while unfinished.contains(where: { $0 < ticket }) {
            await withCheckedContinuation { drainWaiters.append((ticket, $0)) }
        }
    }

    /// A batch was sent to the end: the refreshes waiting for it go on.
    func finished(_ ticket: Int) {
        unfinished.remove(ticket)
        let waiting = drainWaiters
        drainWaiters.removeAll()
        for waiter in waiting { waiter.continuation.resume() }
    }

    func dropConnection() {
        connection?.cancel()
        connection = nil
    }

    /// Sends nothing more on the connection (the next request opens one, carrying the new row
    /// descriptor) and lets what was sent on it be answered. Cancelling it, as after a failure,
    /// would fail the requests another batch had in flight on it: written by then, maybe, and so
    /// written twice when sent again (seen after a schema refusal, at-least-once: 500 rows twice).
    /// A request sent on it after this gets no answer: the stream ends, and it is sent again.
    func retireConnection() {
        guard let retired = connection else { return }
        connection = nil
        let limit = options.responseTimeout
        Task { await retired.close(within: limit) }
    }

    /// Drops `failed` if it is still the writer's connection (another call may have opened a new one).
    private func drop(_ failed: AppendConnection) {
        if connection === failed { dropConnection() } else { failed.cancel() }
    }

    /// Sends the requests with up to `window` in flight; their results, in order.
    ///
    /// Several calls may share the connection (the next batch sends while this one waits for its
    /// acknowledgements): a call takes the send turn for as long as it sends, and reads its
    /// responses once the calls that sent before it have read theirs, so every response is
    /// matched to its request.
    /// The first request goes at offset `base` (default: `nextOffset`), each next one after the one before.
    func pipeline(_ chunks: [[Int]], encoded: EncodedRows, from base: Int64? = nil) async -> [AppendResult] {
        let ticket = sendOrder.issue()
        if !sendOrder.isTurn(ticket) { await withCheckedContinuation { sendOrder.park(ticket, $0) } }
        var sending = true
        var receiving = false
        defer {
            if sending { sendOrder.pass() }
            if receiving { leaveReceiveOrder(ticket) }
        }
        var results: [AppendResult] = []
        let operation = "AppendRows to \(table)"
        let active: AppendConnection
        do {
            active = try await openConnection()
        } catch {
            return chunks.map { _ in .status(Self.storageError(error, operation: operation)) }
        }
        var responses = active.responses.makeAsyncIterator()
        var sent = 0
        var offset = base ?? nextOffset
        while results.count < chunks.count {
            while sent < chunks.count, sent - results.count < options.window {
                active.send(request(chunks[sent], encoded: encoded, offset: offset, on: active))
                if !receiving {
                    receiveOrder.append(ticket)
                    receiving = true
                }
                offset += Int64(chunks[sent].count)
                sent += 1
            }
            if sending, sent == chunks.count {
                sending = false
                sendOrder.pass()
            }
            if receiveOrder.first != ticket { await withCheckedContinuation { receiveWaiters[ticket] = $0 } }
            let watchdog = AppendWatchdog(connection: active, timeout: options.responseTimeout)
            do {
                defer { watchdog.stop() }
                guard let response = try await responses.next(isolation: #isolation) else {
                    throw StorageWriteError(code: 14, message: "the server ended the stream", operation: operation)
                }
                results.append(Self.result(of: response, operation: operation))
            } catch {
                drop(active)
                // Another call's timer may have ended the shared connection: its requests failed
                // for the timeout too (retried), not for a transport error of unknown kind.
                let failure = active.timedOut
                    ? StorageWriteError(code: 4, message: "no response within \(options.responseTimeout) (the request timeout)",
                                        operation: operation)
                    : Self.storageError(error, operation: operation)
                while results.count < chunks.count { results.append(.status(failure)) }
            }
        }
        return results
    }

    private func leaveReceiveOrder(_ ticket: Int) {
        receiveOrder.removeAll { $0 == ticket }
        if let next = receiveOrder.first { receiveWaiters.removeValue(forKey: next)?.resume() }
    }

    private func openConnection() async throws -> AppendConnection {
        if let connection { return connection }
        guard let stream else { throw StorageWriteError(code: 9, message: "no write stream", operation: "AppendRows to \(table)") }
        let opened = try await client.openAppend(stream: stream)
        connection = opened
        return opened
    }

    /// A request of `chunk`'s rows; the first request on a connection carries the row descriptor.
    private func request(_ chunk: [Int], encoded: EncodedRows, offset: Int64, on connection: AppendConnection)
        -> AppendRequest {
        var request = AppendRequest(rows: encoded, positions: chunk)
        request.header.writeStream = stream ?? ""
        if options.exactlyOnce { request.header.offset = Google_Protobuf_Int64Value(offset) }
        if schemaSentOn !== connection {
            var schema = Google_Cloud_Bigquery_Storage_V1_ProtoSchema()
            schema.protoDescriptor = descriptor
            request.schema = schema
            schemaSentOn = connection
        }
        return request
    }

    static func result(of response: AppendConnection.Response, operation: String) -> AppendResult {
        if !response.rowErrors.isEmpty {
            var errors: [Int: String] = [:]
            for error in response.rowErrors {
                errors[Int(error.index)] = "row error (\(error.code)): \(error.message)"
            }
            return .rowErrors(errors)
        }
        if case .error(let status)? = response.response {
            return .status(StorageWriteError(code: Int(status.code), message: status.message, operation: operation))
        }
        return .ok
    }

    static func storageError(_ error: any Error, operation: String) -> StorageWriteError {
        if let error = error as? StorageWriteError { return error }
        if let error = error as? RPCError {
            // A failure of the client's own transport says little by itself ("The transport threw an
            // unexpected error."): what caused it (a reset connection, a refused one) goes with it.
            let message = error.cause.map { "\(error.message) (\($0))" } ?? error.message
            // A status the server sent has no cause; an UNKNOWN with one is the client's transport failing.
            return StorageWriteError(code: error.code.rawValue, message: message, operation: operation,
                                     inTransport: error.code == .unknown && error.cause != nil)
        }
        return StorageWriteError(code: 14, message: "\(error)", operation: operation)
    }
}
