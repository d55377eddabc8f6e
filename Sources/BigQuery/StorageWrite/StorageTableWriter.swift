import BigQueryStorage
import DocumentMapping
import Foundation
import GRPCCore
import HTTPTransport
import ProcessEngine
import SwiftProtobuf

/// Writes the rows of one destination table through the Storage Write API.
///
/// The writer fetches the table schema (`tables.get`, refreshed once per batch on a schema
/// mismatch), encodes each JSON row as a protobuf message, and appends them on one
/// `AppendRows` stream kept open between batches: the `_default` stream (at-least-once), or a
/// COMMITTED stream with explicit offsets (exactly-once, checkpointed after every batch).
/// Rows are shaped by a ``StorageRowPreparer`` (columns, casts, REQUIRED, CDC columns) first.
/// Row failures come back by position.
actor StorageTableWriter {
    struct Options: Sendable {
        var exactlyOnce = false
        var maxRowsPerRequest = 10_000
        var maxRequestBytes = StorageRequestSplitter.maxRequestBytes
        /// Requests in flight on the stream at once.
        var window = 8
        var retry = RetryPolicy()
        /// How long to wait for each `AppendRows` response before the call is ended and retried.
        var responseTimeout: Duration = .seconds(60)
        /// Called before each resend of requests that failed transiently.
        var onRetry: @Sendable () -> Void = {}
        /// Told of each resend before the wait that comes first.
        var onWait: @Sendable (RetryNotice) -> Void = { _ in }
        /// The process id and execution id under which checkpoints are kept (exactly-once).
        var processID = ""
        var executionID = ""
        /// Column filtering, casts and CDC columns applied to every row before it is encoded.
        var sink = StorageSinkSettings()
    }

    let table: TableReference
    let options: Options
    let client: StorageWriteClient
    let fetchTable: @Sendable () async throws -> JSONValue
    let checkpoints: (any CheckpointStore)?

    var schema: StorageSchema?
    var encoder: ProtoRowEncoder?
    var preparer: StorageRowPreparer?
    /// The text-to-proto path for plain rows (nil when the schema or the settings rule it out).
    var fast: StorageFastRowEncoder?
    /// The fast path through a pending map's renaming, for the schema generation it was built for.
    var fused: (renames: FlatRenames, generation: Int, encoder: StorageFastRowEncoder?)?
    var descriptor = Google_Protobuf_DescriptorProto()
    var stream: String?
    var connection: AppendConnection?
    /// The connection whose first request carried the row descriptor.
    var schemaSentOn: AppendConnection?
    /// The offset the next row gets (exactly-once).
    var nextOffset: Int64 = 0
    /// Input rows seen in this execution, and how many of them an earlier run dealt with.
    var seen: Int64 = 0
    var resumeRows: Int64 = 0
    /// A batch failed as a whole: the checkpoint is kept at close.
    var broken = false
    /// Exactly-once: why nothing more is sent in this execution (the checkpoint is owned by another
    /// running execution, or a batch failed as a whole, so the checkpoint must stay where it is for
    /// a re-run). Every later batch fails with it at once.
    var halted: String?
    /// Exactly-once: the checkpoint was claimed for this execution (it is never claimed twice).
    var claimed = false
    /// The rows done and next offset last saved in the checkpoint (it is only ever moved forward).
    var savedRows: Int64 = 0
    var savedOffset: Int64 = 0
    /// Batches in the order ``accept(_:)`` took them: the order ``send(_:)`` sends them in.
    var batchOrder = TurnOrder()
    /// ``pipeline(_:encoded:)`` calls in the order they take the stream to send.
    var sendOrder = TurnOrder()
    /// Calls that sent on the stream and have responses to read, in send order.
    var receiveOrder: [Int] = []
    var receiveWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// Columns were added to the table (schemaUpdate add-columns): the next batch reads the schema
    /// again once the batches before it are done.
    var schemaStale = false
    /// How many times the table's schema was loaded: rows encoded under an earlier load are
    /// encoded again before they are sent (a new load may number the columns differently).
    var schemaGeneration = 0
    /// Batches accepted and not yet sent to the end, by ticket, while a schema refresh may wait for them.
    var unfinished: Set<Int> = []
    var drainWaiters: [(ticket: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// A batch spent every attempt without a request acknowledged (the endpoint is down): the
    /// attempts it spent. Until a request is answered, no batch retries (those waiting to retry
    /// included), so an outage ends the execution in about one retry budget, not one per batch.
    var outageAfter: Int?

    init(table: TableReference, options: Options, client: StorageWriteClient,
         checkpoints: (any CheckpointStore)?, fetchTable: @escaping @Sendable () async throws -> JSONValue) {
        self.table = table
        self.options = options
        self.client = client
        self.checkpoints = checkpoints
        self.fetchTable = fetchTable
    }

    /// What sending a batch came to: failures by position, and which of them the table rejected row
    /// by row (a value that does not fit, a row error), as opposed to a request, stream or writer
    /// failure (unreachable, timed out, refused, table not found, …) that says nothing of the row.
    struct Sent: Sendable {
        var failures: [Int: String]
        /// Positions of the failures that are rejections of the row itself (for a dead-letter queue).
        var rejected: Set<Int>
    }

    /// A batch taken in (``accept(_:)``) and waiting to be sent (``send(_:)``).
    struct Accepted: Sendable {
        var rows: StorageRows
        /// Encoded rows by position (none: failed, or dealt with by an earlier run).
        var encoded: EncodedRows
        var failures: [Int: String]
        /// Positions of the rows this run writes (exactly-once resume skips the others).
        var positions: [Int]
        /// Input rows seen through this batch: the checkpoint's `rowsDone` once it is written.
        var rowsThrough: Int64
        /// The writer could not be prepared (schema, stream): every row failed, nothing is sent.
        var unprepared = false
        /// The batch's place in the send order (batches are sent in the order they were accepted).
        var ticket = 0
        /// The ``StorageTableWriter/schemaGeneration`` the rows were encoded with.
        var schemaGeneration = 0
        /// The map the documents have not passed yet (they are its inputs), when the operation does it.
        var pending: PendingMap?
    }

    /// Takes a batch in, in batch order: prepares the writer on first use, counts the rows
    /// (exactly-once resume) and encodes them. Nothing is sent yet, so the next batch can be
    /// encoded while the one before it waits for its acknowledgements.
    func accept(_ rows: StorageRows, of documents: [Document], pending: PendingMap? = nil) async -> Accepted {
        let ticket = batchOrder.issue()
        func unprepared(_ message: String) -> Accepted {
            seen += Int64(rows.count)
            return Accepted(rows: rows, encoded: EncodedRows(count: 0), failures: Dictionary(uniqueKeysWithValues: rows.indices.map { ($0, message) }),
                            positions: [], rowsThrough: seen, unprepared: true, ticket: ticket)
        }
        if let halted { return unprepared(halted) }
        if options.sink.schemaUpdate == .addColumns { unfinished.insert(ticket) }
        do {
            if schemaStale, schema != nil {
                // Rows of earlier batches may still be in flight on the connection: they are
                // acknowledged before it is replaced by one carrying the new row descriptor.
                schemaStale = false
                await drain(before: ticket)
                try await loadSchema()
            }
            try await prepare()
        } catch {
            broken = true
            // gRPC errors name the call; others (schema, store, refusal) already say what failed.
            let message = error is RPCError ? Self.storageError(error, operation: "opening the write stream for \(table)").description
                : "\(error)"
            if options.exactlyOnce { halted = error is StorageWriteRefusal ? message : Self.haltMessage(table, cause: message) }
            return unprepared(message)
        }
        // Rows an earlier run dealt with (exactly-once resume) are skipped: they count as written.
        var positions: [Int] = []
        positions.reserveCapacity(rows.count)
        for position in rows.indices {
            if seen >= resumeRows { positions.append(position) }
            seen += 1
        }
        var failures: [Int: String] = [:]
        var encoded = EncodedRows(count: rows.count)
        encode(rows, of: documents, positions: positions, pending: pending, into: &encoded, failures: &failures)
        return Accepted(rows: rows, encoded: encoded, failures: failures, positions: positions, rowsThrough: seen,
                        ticket: ticket, schemaGeneration: schemaGeneration, pending: pending)
    }

    /// Sends an accepted batch until each row is written or failed. Batches are sent in the order
    /// they were accepted: each waits until the one before it is done. Every accepted batch must
    /// be sent (an unprepared one passes its turn on at once).
    func send(_ batch: Accepted, of documents: [Document]) async -> Sent {
        if !batchOrder.isTurn(batch.ticket) {
            await withCheckedContinuation { batchOrder.park(batch.ticket, $0) }
        }
        // At-least-once, the next batch may send while this one waits for its acknowledgements
        // (the pipeline keeps requests and responses in order); exactly-once, its offsets depend
        // on how this one ends, so it waits for the end.
        let overlaps = !options.exactlyOnce
        if overlaps { batchOrder.pass() }
        defer { if !unfinished.isEmpty { finished(batch.ticket) } }
        defer { if !overlaps { batchOrder.pass() } }
        var failures = batch.failures
        guard !batch.unprepared else { return Sent(failures: failures, rejected: []) }
        if options.exactlyOnce, let halted {
            // An earlier batch stopped the writer after this one was accepted: nothing is sent.
            return Sent(failures: Dictionary(uniqueKeysWithValues: batch.rows.indices.map { ($0, halted) }), rejected: [])
        }
        var encoded = batch.encoded
        if batch.schemaGeneration != schemaGeneration {
            // The table's schema was loaded again after this batch was encoded (an earlier batch
            // was refused for its schema): its rows are encoded anew, for the new row descriptor.
            let pending = batch.positions.filter { encoded.has($0) }
            encode(batch.rows, of: documents, positions: pending, pending: batch.pending, into: &encoded, failures: &failures)
        }
        var requestFailed: Set<Int> = []
        await deliver(rows: batch.rows, of: documents, pendingMap: batch.pending, encoded: &encoded, failures: &failures,
                      requestFailed: &requestFailed)
        if options.exactlyOnce {
            // Rows up to the first one that failed as part of a request are dealt with; that one and
            // the rest are left for a re-run, so the checkpoint stops before it and nothing more is sent.
            var rowsDone = batch.rowsThrough
            if let first = requestFailed.min() {
                rowsDone = batch.rowsThrough - Int64(batch.rows.count) + Int64(first)
                broken = true
                halted = Self.haltMessage(table, cause: failures[first] ?? "a request failed")
            }
            // While an earlier run's rows are skipped there is nothing new to save (and saving a smaller
            // rows-done count with the same offset would make a re-run skip too few rows).
            if rowsDone > savedRows || nextOffset > savedOffset {
                do { try saveCheckpoint(rowsDone: max(rowsDone, savedRows)) } catch {
                    // The rows are in BigQuery, but a re-run could not tell: stop trusting this writer.
                    broken = true
                    let message = "written, but the exactly-once checkpoint could not be saved: \(error)"
                    halted = halted ?? Self.haltMessage(table, cause: message)
                    for position in batch.positions where failures[position] == nil {
                        failures[position] = message
                        requestFailed.insert(position)
                    }
                }
            }
        }
        var rejected = Set(failures.keys)
        if !requestFailed.isEmpty { rejected.subtract(requestFailed) }
        return Sent(failures: failures, rejected: rejected)
    }

    /// Why later batches are not sent after the writer stopped (exactly-once).
    static func haltMessage(_ table: TableReference, cause: String) -> String {
        "not sent: exactly-once writing to \(table) stopped at an earlier failure (\(cause)); "
            + "the checkpoint keeps the place of the first row not written, so a re-run sends this row"
    }

    private func encode(_ rows: StorageRows, of documents: [Document], positions: [Int], pending: PendingMap?,
                        into encoded: inout EncodedRows, failures: inout [Int: String]) {
        guard let encoder, let preparer else { return }
        // With a pending map the documents are the map's inputs: the fast path reads them through
        // the map's renaming, and the rows it declines are mapped here first.
        // (Never the plain fast path on the map's inputs: without the renaming's encoder, every row
        // is mapped first.)
        let fast: StorageFastRowEncoder? = if let pending { fusedEncoder(for: pending.renames) } else { self.fast }
        // Rows the fast path encodes go one after another into one buffer (no allocation per row).
        var writer = ProtoWriter(capacity: fast == nil ? 0 : 128 * positions.count)
        var slices: [(position: Int, range: Range<Int>)] = []
        var general: [Int] = []
        // The renaming's encoder has the plain one's columns: one scratch serves both.
        var scratch = StorageFastRowEncoder.Scratch(columns: self.fast?.columns.count ?? 0)
        if let fast {
            // Every row usually takes the fast path: room for all of them, reserved once (growing
            // by doubling copied the list about once over per batch).
            slices.reserveCapacity(positions.count)
            // Each row's text read where it lies, in its document (no copy of the row; the text is
            // still retained for the call).
            for position in positions {
                let start = writer.count
                if let document = rows.documentPosition(position),
                   documents[document].data.withUnsafeBufferPointer({ fast.encode($0, into: &writer, scratch: &scratch) }) {
                    slices.append((position, start..<writer.count))
                } else {
                    general.append(position)
                }
            }
        } else {
            general = positions
        }
        // The map's outputs of the rows left, when the map is pending (copies: the batch keeps
        // the map's inputs), and the rows the map fails, by their place in `general`.
        var outputs: [Document] = []
        var mapFailures: [Int: DocumentFailure] = [:]
        if let pending, !general.isEmpty {
            outputs = general.map { rows.documentPosition($0).map { documents[$0] } ?? Document(data: []) }
            mapFailures = pending.map(&outputs, at: Array(outputs.indices))
        }
        for (place, position) in general.enumerated() {
            do {
                let row: StorageRow
                if pending != nil {
                    if let failure = mapFailures[place] {
                        // Recorded at the map shape (see `StorageWriteOperation.sort`).
                        failures[position] = failure.message
                        encoded.clear(position)
                        continue
                    }
                    let start = writer.count
                    if let regular = self.fast,
                       outputs[place].data.withUnsafeBufferPointer({ regular.encode($0, into: &writer, scratch: &scratch) }) {
                        slices.append((position, start..<writer.count))
                        continue
                    }
                    row = StorageRow(document: outputs[place])
                } else {
                    row = rows.row(position, of: documents)
                }
                encoded.set(position, try encoder.encode(try preparer.prepare(try row.json())))
            } catch {
                failures[position] = "\(error)"
                encoded.clear(position)
            }
        }
        if !slices.isEmpty { encoded.set(slices, from: writer) }
    }

    /// The fast path reading a pending map's inputs (``StorageFastRowEncoder/reading(_:)``), for
    /// the schema loaded last; nil when there is none.
    private func fusedEncoder(for renames: FlatRenames) -> StorageFastRowEncoder? {
        if let fused, fused.renames == renames, fused.generation == schemaGeneration { return fused.encoder }
        let encoder = fast?.reading(renames)
        fused = (renames, schemaGeneration, encoder)
        return encoder
    }

    /// Sends encoded rows until each is written or failed: retries by status with backoff,
    /// resends the rest of a request whose rows had errors, refreshes the schema once on a mismatch.
    ///
    /// `requestFailed` gets the rows that failed with their request or stream rather than for
    /// themselves. With exactly-once, the first such failure ends the batch: later rows are not
    /// sent (they would be written past a row that was not).
    private func deliver(rows: StorageRows, of documents: [Document], pendingMap: PendingMap?, encoded: inout EncodedRows,
                         failures: inout [Int: String], requestFailed: inout Set<Int>) async {
        var pending = (0..<encoded.count).filter { encoded.has($0) }
        var attempt = 0
        var tokenRefreshed = false
        var schemaRefreshed = false
        while !pending.isEmpty {
            let sizes = pending.map { encoded.size($0) }
            let chunks = StorageRequestSplitter.split(sizes: sizes, maxRows: options.maxRowsPerRequest,
                                                      maxBytes: options.maxRequestBytes, overhead: 4096)
                .map { Array(pending[$0]) }
            let results = await pipeline(chunks, encoded: encoded)
            var retry: [Int] = []
            var backoff: String?
            var stopped = false
            // The table's schema was loaded again in this round: every request of the round was
            // encoded with the old one, so each refused for its schema is sent again, and every
            // row sent again is encoded anew first.
            var schemaReloaded = false
            for (chunk, result) in zip(chunks, results) {
                if stopped { retry += chunk; continue }
                switch result {
                case .ok:
                    acknowledge(chunk.count)
                    outageAfter = nil
                    // Progress: the attempts count again from here (a long batch over a flaky
                    // connection must not run out of attempts while it advances).
                    attempt = 0
                case .rowErrors(let errors):
                    outageAfter = nil
                    for (index, message) in errors where chunk.indices.contains(index) { failures[chunk[index]] = message }
                    retry += chunk.enumerated().filter { errors[$0.offset] == nil }.map(\.element)
                    stopped = options.exactlyOnce
                case .status(let error):
                    switch StorageWriteStatus.classify(error) {
                    case .alreadyWritten where options.exactlyOnce:
                        // ALREADY_EXISTS says only that the chunk's first row is in the stream: an
                        // earlier run may have sent a shorter request at this offset.
                        let found = await rowsInStream(chunk, encoded: encoded)
                        acknowledge(found.rows)
                        if found.rows < chunk.count {
                            // The rest is not in the stream: sent again from the offset after the last one that is.
                            retry += chunk[found.rows...]
                            stopped = true
                            if let failure = found.failure { backoff = failure.description } else { attempt = 0 }
                        }
                    case .retry, .outOfRange, .alreadyWritten:
                        retry += chunk
                        backoff = error.description
                        stopped = options.exactlyOnce
                    case .refreshToken where !tokenRefreshed:
                        tokenRefreshed = true
                        if let token = connection?.token { await client.tokens.invalidate(token) }
                        dropConnection()
                        retry += chunk
                        stopped = options.exactlyOnce
                    case .fail where schemaReloaded && Self.isSchemaRefusal(error):
                        retry += chunk
                        stopped = options.exactlyOnce
                    case .fail where !schemaRefreshed && Self.isSchemaRefusal(error):
                        schemaRefreshed = true
                        if (try? await loadSchema()) != nil {
                            schemaReloaded = true
                            retry += chunk
                        } else {
                            for position in chunk { failures[position] = error.description }
                            requestFailed.formUnion(chunk)
                        }
                        stopped = options.exactlyOnce
                    case .fail, .refreshToken:
                        for position in chunk { failures[position] = error.description }
                        requestFailed.formUnion(chunk)
                        stopped = options.exactlyOnce
                    }
                }
            }
            if schemaReloaded {
                encode(rows, of: documents, positions: retry, pending: pendingMap, into: &encoded, failures: &failures)
                retry.removeAll { failures[$0] != nil }
            }
            if options.exactlyOnce, let first = requestFailed.min() {
                let cause = failures[first] ?? ""
                for position in retry {
                    failures[position] = "not sent: an earlier request of the batch failed (\(cause))"
                    requestFailed.insert(position)
                }
                return
            }
            if let backoff {
                attempt += 1
                if attempt < options.retry.maxAttempts, outageAfter == nil {
                    try? await Task.sleep(for: announcedBackoff("AppendRows to \(table)", attempt: attempt, reason: backoff))
                }
                // Out of attempts, or the endpoint found down (by this batch or another one, maybe while
                // this one waited): the rows fail, and later batches are not retried until an answer.
                if attempt >= options.retry.maxAttempts || outageAfter != nil {
                    broken = true
                    let cause = outageAfter.map { backoff + " (" + OutageCircuit.note(sent: attempt, openedAfter: $0) + ")" }
                        ?? backoff + " (after \(attempt) attempts)"
                    if outageAfter == nil { outageAfter = attempt }
                    for position in retry { failures[position] = cause }
                    requestFailed.formUnion(retry)
                    return
                }
                options.onRetry()
            }
            pending = retry.sorted()
        }
    }

    /// A request refused because the writer's schema no longer matches the table's: BigQuery says
    /// `Input schema has more fields than BigQuery schema, …` for a column gone, and `The proto
    /// field mismatched with BigQuery field at …` for a column whose type changed.
    static func isSchemaRefusal(_ error: StorageWriteError) -> Bool {
        error.message.localizedCaseInsensitiveContains("schema")
            || error.message.localizedCaseInsensitiveContains("mismatched with BigQuery field")
    }

    private func acknowledge(_ rows: Int) {
        nextOffset += Int64(rows)
    }

    /// Saves the stream, the next offset and `rowsDone` (input rows dealt with) for a re-run.
    func saveCheckpoint(rowsDone: Int64) throws {
        guard let checkpoints, let stream else { return }
        try checkpoints.saveCheckpoint(WriteCheckpoint(processID: options.processID, destination: table.description,
                                                        stream: stream, nextOffset: nextOffset, rowsDone: rowsDone,
                                                        executionID: options.executionID))
        savedRows = rowsDone
        savedOffset = nextOffset
    }

    /// Ends the stream: finalizes a COMMITTED stream and drops its checkpoint unless a batch failed.
    func close() async {
        if let connection { await connection.close(within: options.responseTimeout) }
        connection = nil
        guard options.exactlyOnce, let stream, !broken else { return }
        _ = try? await client.finalize(stream: stream)
        _ = try? checkpoints?.releaseCheckpoint(processID: options.processID, destination: table.description,
                                                executionID: options.executionID)
    }
}
