import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import Synchronization

/// `action="streaming-insert"` with `<api>storage-write</api>`: rows go through the Storage
/// Write API, one ``StorageTableWriter`` (and one `AppendRows` stream) per destination table,
/// reused for the whole execution and closed by ``close()``.
struct StorageWriteOperation: MapFusingOperation {
    let settings: StreamingInsertSettings
    let client: StorageWriteClient
    let rest: BigQueryREST
    let checkpoints: (any CheckpointStore)?
    let retry: RetryPolicy
    /// Counts each resend after a transient failure in the execution's record.
    var countRetry: @Sendable () -> Void = {}
    /// Told of each resend before its wait (``ConnectorEnvironment/noteRetry``).
    var noteRetry: @Sendable (RetryNotice) -> Void = { _ in }
    /// How long each Storage Write API response may take (the connection's request timeout).
    var responseTimeout: Duration = .seconds(60)
    /// Writers by destination, shared by the copies of this operation.
    private let pool = WriterPool()

    /// Writers by destination; the dictionary is guarded by the mutex (writers themselves are actors).
    private final class WriterPool: Sendable {
        let writers = Mutex<[TableReference: StorageTableWriter]>([:])
        /// Batches begun (``begin(_:context:)``) finish in the order they began.
        let finishTickets = Mutex(0)
        let finishOrder = TurnGate()
    }

    let runner: JobRunner
    let location: String?
    let deadLetters: StorageDeadLetterQueue
    let preparation: StorageTablePreparation
    /// `<schemaUpdate>add-columns</schemaUpdate>`: adds the columns rows carry to their table.
    let evolution: StorageSchemaEvolution

    init(settings: StreamingInsertSettings, client: StorageWriteClient, rest: BigQueryREST,
         checkpoints: (any CheckpointStore)?, retry: RetryPolicy, location: String? = nil, workspaceRoot: String = ".") {
        self.settings = settings
        self.client = client
        self.rest = rest
        self.checkpoints = checkpoints
        self.retry = retry
        self.location = location
        runner = JobRunner(rest: JobsREST(rest: rest), clock: SystemJobClock())
        deadLetters = StorageDeadLetterQueue(setting: settings.sink.deadLetter, workspaceRoot: workspaceRoot, rest: rest)
        preparation = StorageTablePreparation(ifExists: settings.sink.ifExists, runner: runner, location: location)
        evolution = StorageSchemaEvolution(rest: rest, runner: runner, location: location, cdc: settings.sink.cdc)
    }

    /// Rows of one destination, by position in the batch.
    struct Group: Sendable {
        var table: TableReference
        var positions: [Int]
        /// The rows, read from the batch's documents (``Staged/documents``).
        var rows: StorageRows
        /// `<uniqueConstraints>` only: each row's operation and key columns.
        var changes: [StorageMergeChange] = []
    }

    /// A batch after ``stage(_:context:)``: its rows grouped by destination, each group accepted
    /// by its writer (or refused by `ifExists`, or left for a MERGE).
    struct Staged: Sendable {
        var documents: [Document]
        /// The map the documents have not passed yet (they are its inputs; see ``fuses(_:)``).
        var pending: PendingMap?
        /// Documents whose destination or row could not be worked out, by position.
        var failures: [Int: String]
        /// The kinds of those failures, by position.
        var codes: [Int: DocumentError.Code] = [:]
        var groups: [StagedGroup]
    }

    /// Hands a staged batch to a task without the task's closure keeping a copy.
    final class StagedBox: Sendable {
        private let staged: Mutex<Staged?>
        init(_ staged: Staged) { self.staged = Mutex(staged) }
        func take() -> Staged {
            staged.withLock { value in
                defer { value = nil }
                return value ?? Staged(documents: [], failures: [:], groups: [])
            }
        }
    }

    struct StagedGroup: Sendable {
        var group: Group
        var writer: StorageTableWriter?
        var accepted: StorageTableWriter.Accepted?
        /// Why `ifExists` refused the destination: its rows are not written (nor dead-lettered).
        var refusal: String?
        /// The refusal is a failed schema update, not `ifExists`: the rows fail as a connector error.
        var schemaUpdateFailed = false
        /// The user log's lines about the group (columns added).
        var log: [String] = []
    }

    /// Batches may come as a renaming map's inputs when nothing but the encoder reads a row: one
    /// fixed destination, no CDC, MERGE, schema update or dead-letter queue, and at-least-once
    /// delivery (exactly-once resumes by counting the rows sent, which the map's failures must not
    /// change from run to run).
    func fuses(_ renames: FlatRenames) -> Bool {
        settings.delivery != .exactlyOnce && settings.projectID.isConstant && settings.datasetID.isConstant
            && settings.tableID.isConstant && !settings.sink.cdc && settings.sink.uniqueConstraints == nil
            && settings.sink.schemaUpdate == .none && !deadLetters.isEnabled
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        let staged = await stage(documents, context: context)
        return try await finish(staged, sent: await send(staged, context: context), context: context)
    }

    /// Takes the batch in while the previous one may still be waiting for its acknowledgements:
    /// rows are grouped and encoded now, in batch order. The returned task sends them right away
    /// (each writer keeps its batches in order) and finishes (dead-letter queue, outputs) after the
    /// previous batch has finished; MERGE batches wait for the previous batch before they start.
    func begin(_ documents: [Document], context: OperationContext) async -> Task<OperationOutcome, any Error> {
        let taken = await takeIn(documents, context: context)
        return Task {
            let (staged, sent) = await sendInTurn(taken, context: context)
            let outcome: Result<OperationOutcome, any Error>
            do { outcome = .success(try await finish(staged, sent: sent, context: context)) } catch { outcome = .failure(error) }
            await taken.order.pass()
            return try outcome.get()
        }
    }

    /// ``begin(_:context:)`` on the documents themselves: the table properties are set on them
    /// in place, with no copy of the batch. Only without a dead-letter queue: writing to it is
    /// the one step that can fail a whole batch, and dead letters are marked on their documents.
    func beginHandedOver(_ documents: inout [Document], context: OperationContext) async -> Task<HandedOverOutcome, Never>? {
        guard !deadLetters.isEnabled else { return nil }
        var batch: [Document] = []
        swap(&batch, &documents)
        let taken = await takeIn(batch, context: context)
        return Task {
            let (staged, sent) = await sendInTurn(taken, context: context)
            let outcome = HandedOverOutcome(sort(consume staged, sent: sent, letters: DeadLetters()))
            await taken.order.pass()
            return outcome
        }
    }

    /// A batch taken in: staged, and its place in the order batches finish in.
    private struct TakenIn: Sendable {
        /// The task takes the batch out of the box, so it holds the only copy (see ``sort``).
        let box: StagedBox
        let ticket: Int
        let order: TurnGate
        /// MERGE batches (uniqueConstraints) run one after the other: a later batch's rows must
        /// win, and concurrent MERGEs into one table conflict.
        let merges: Bool
    }

    private func takeIn(_ documents: consuming [Document], context: OperationContext) async -> TakenIn {
        let staged = await stage(documents, context: context)
        let ticket = pool.finishTickets.withLock { next in
            defer { next += 1 }
            return next
        }
        return TakenIn(box: StagedBox(staged), ticket: ticket, order: pool.finishOrder,
                       merges: settings.sink.uniqueConstraints != nil)
    }

    /// Sends a batch taken in; on return it is the batch's turn to finish (the caller passes it on).
    private func sendInTurn(_ taken: TakenIn, context: OperationContext) async -> (Staged, [Sent]) {
        let staged = taken.box.take()
        if taken.merges { await taken.order.wait(for: taken.ticket) }
        let sent = await send(staged, context: context)
        if !taken.merges { await taken.order.wait(for: taken.ticket) }
        return (staged, sent)
    }

    /// Groups the rows by destination, applies `ifExists` on a destination's first batch and
    /// hands each group to its writer to encode (MERGE groups wait for ``finish(_:context:)``).
    func stage(_ documents: consuming [Document], context: OperationContext) async -> Staged {
        var documents = documents
        var failures: [Int: String] = [:]
        var codes: [Int: DocumentError.Code] = [:]
        var groups: [Group] = []
        var groupIndex: [TableReference: Int] = [:]
        // A destination without placeholders is the same for every document: rendered once.
        let constant = settings.projectID.isConstant && settings.datasetID.isConstant && settings.tableID.isConstant
        var fixed: TableReference?
        var last: (table: TableReference, group: Int)?
        if let group = singleGroup(documents, context: context) {
            groups = [group]
        } else {
            for position in documents.indices {
                do {
                    let table: TableReference
                    if constant, let fixed { table = fixed } else {
                        table = try destination(of: documents[position], context: context)
                        if constant { fixed = table }
                    }
                    var built: JSONValue?
                    if settings.sink.cdc {
                        var value = try documents[position].json()
                        Self.addChangeProperties(of: documents[position], to: &value)
                        built = value
                    }
                    var change: StorageMergeChange?
                    if let constraints = settings.sink.uniqueConstraints {
                        let op = try StorageMergeChange.op(of: documents[position])
                        change = StorageMergeChange(op: op, keys: op == .truncate ? [] : try constraints.keys(for: documents[position], context: context),
                                                    isChange: StorageMergeChange.isCaptured(documents[position]))
                    }
                    let group: Int
                    if let last, last.table == table { group = last.group } else if let known = groupIndex[table] {
                        group = known
                    } else {
                        group = groups.count
                        groupIndex[table] = group
                        groups.append(Group(table: table, positions: [], rows: StorageRows()))
                    }
                    last = (table, group)
                    groups[group].positions.append(position)
                    if let built { groups[group].rows.append(value: built) } else { groups[group].rows.append(document: position) }
                    if let change { groups[group].changes.append(change) }
                } catch {
                    failures[position] = "\(error)"
                    codes[position] = DocumentError.code(of: error, else: .connector)
                }
            }
        }
        var staged: [StagedGroup] = []
        for group in groups {
            do {
                try await preparation.prepare(group.table, executionID: context.execution.id)
            } catch {
                staged.append(StagedGroup(group: group, refusal: "\(error)"))
                continue
            }
            guard settings.sink.uniqueConstraints == nil else {
                // A MERGE group adds its columns when its turn comes (see `merge`), not while the
                // batch before it may still be merging into the table.
                staged.append(StagedGroup(group: group))
                continue
            }
            var evolved = StorageSchemaEvolution.Outcome()
            if settings.sink.schemaUpdate == .addColumns {
                do {
                    evolved = try await evolution.evolve(group.table, rows: group.rows.rows(of: documents), executionID: context.execution.id)
                } catch {
                    staged.append(StagedGroup(group: group, refusal: "\(error)", schemaUpdateFailed: true))
                    continue
                }
            }
            let writer = writer(for: group.table, context: context)
            if evolved.changed { await writer.schemaChanged() }
            let accepted = await writer.accept(group.rows, of: documents, pending: context.pendingMap)
            staged.append(StagedGroup(group: group, writer: writer, accepted: accepted, log: evolved.lines))
        }
        return Staged(documents: documents, pending: context.pendingMap, failures: failures, codes: codes, groups: staged)
    }

    /// The table `document` goes to.
    private func destination(of document: Document, context: OperationContext) throws -> TableReference {
        try TableReference(checking: try context.interpolate(settings.projectID, for: document),
                           dataset: try context.interpolate(settings.datasetID, for: document),
                           table: try context.interpolate(settings.tableID, for: document))
    }

    /// The batch as one group, built without a lookup a row, when its destination has no
    /// placeholders and each row is its document (no CDC columns, no MERGE). Nil otherwise, and
    /// when the destination does not render: then each document fails with the error.
    private func singleGroup(_ documents: [Document], context: OperationContext) -> Group? {
        guard settings.projectID.isConstant, settings.datasetID.isConstant, settings.tableID.isConstant,
              !settings.sink.cdc, settings.sink.uniqueConstraints == nil, let first = documents.first,
              let table = try? destination(of: first, context: context) else { return nil }
        return Group(table: table, positions: Array(documents.indices), rows: StorageRows(allOf: documents.count))
    }

    /// What sending one staged group came to: its failures by position in the group.
    struct Sent: Sendable {
        var group: Group
        var failures: [Int: String]
        /// The failures that are rejections of the row itself: only these go to a dead-letter queue.
        /// A failed request or stream (unreachable, timed out, refused, table not found) and an
        /// `ifExists` refusal fail their documents, so that a re-run delivers them.
        var rejected: Set<Int> = []
        /// Refused before anything was written (ifExists): not dead-lettered.
        var refused: Bool
        /// The user log's lines about the group (columns a MERGE group added).
        var log: [String] = []
    }

    /// Sends the staged groups, each destination on its own stream, at once.
    func send(_ staged: Staged, context: OperationContext) async -> [Sent] {
        let documents = staged.documents
        // One destination (the usual case): sent here, without a task group and a child task a batch.
        if staged.groups.count == 1, let item = staged.groups.first {
            return [await send(item, of: documents, context: context)]
        }
        return await withTaskGroup(of: Sent.self) { tasks in
            for item in staged.groups {
                tasks.addTask { await send(item, of: documents, context: context) }
            }
            var collected: [Sent] = []
            for await result in tasks { collected.append(result) }
            return collected
        }
    }

    /// Sends one staged group: its writer's accepted rows, or its MERGE.
    private func send(_ item: StagedGroup, of documents: [Document], context: OperationContext) async -> Sent {
        if let refusal = item.refusal {
            return Sent(group: item.group, failures: Dictionary(uniqueKeysWithValues: item.group.rows.indices.map { ($0, refusal) }),
                        refused: !item.schemaUpdateFailed)
        }
        if let writer = item.writer, let accepted = item.accepted {
            let sent = await writer.send(accepted, of: documents)
            return Sent(group: item.group, failures: sent.failures, rejected: sent.rejected, refused: false)
        }
        let merged = await merge(item.group, of: documents, context: context)
        return Sent(group: item.group, failures: merged.failures, rejected: merged.rejected, refused: false, log: merged.log)
    }

    /// Dead-letters the rows that failed and sorts the documents into outputs and failures.
    func finish(_ staged: consuming Staged, sent results: [Sent], context: OperationContext) async throws -> OperationOutcome {
        let letters = try await deadLetter(results, of: staged.documents, context: context)
        return sort(consume staged, sent: results, letters: letters)
    }

    /// What writing to the dead-letter queue came to.
    struct DeadLetters {
        /// The documents whose rows the queue keeps, by position in the batch.
        var kept: Set<Int> = []
        /// Why the queue could not keep a rejected row, by position.
        var notKept: [Int: String] = [:]
    }

    /// Writes the rows each destination rejected to the dead-letter queue, when there is one.
    private func deadLetter(_ results: [Sent], of documents: [Document], context: OperationContext) async throws -> DeadLetters {
        var letters = DeadLetters()
        guard deadLetters.isEnabled else { return letters }
        for result in results where !result.refused && !result.rejected.isEmpty {
            let indices = result.rejected.sorted()
            let records = indices.map { index in
                StorageDeadLetterQueue.Record(original: result.group.rows.row(index, of: documents).original(), reason: result.failures[index] ?? "",
                                              rowErrors: [result.failures[index] ?? ""])
            }
            do {
                try await deadLetters.write(records, destination: result.group.table, at: context.now())
                for index in indices { letters.kept.insert(result.group.positions[index]) }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                for index in indices { letters.notKept[result.group.positions[index]] = "\(error)" }
            }
        }
        return letters
    }

    /// Sorts the documents into outputs and failures, the dead letters among the outputs.
    private func sort(_ staged: consuming Staged, sent results: [Sent], letters: DeadLetters) -> OperationOutcome {
        // Taken out, so setting properties below changes the only copy of the array.
        var documents: [Document] = []
        swap(&documents, &staged.documents)
        var failures = staged.failures
        var codes = staged.codes
        let groups = staged.groups.map(\.group)
        let log = staged.groups.flatMap(\.log) + results.flatMap(\.log)
        let deadLettered = letters.kept
        for result in results {
            for (index, message) in result.failures {
                failures[result.group.positions[index]] = message
                // Rows the table rejected, and destinations `ifExists` refused: the far end said no.
                codes[result.group.positions[index]] = result.refused || result.rejected.contains(index) ? .rejected : .connector
            }
        }
        for (position, error) in letters.notKept {
            failures[position] = (failures[position] ?? "") + "; the dead-letter queue could not keep the row either: \(error)"
        }
        var outputs: [Document] = []
        var failed: [DocumentFailure] = []
        var dead: [DeadLetter] = []
        outputs.reserveCapacity(documents.count)
        // A failed document is recorded with its content: the map's output. The map may fail it
        // instead (a row it failed while encoding, or one never encoded): that failure is the map
        // shape's, and the document goes no further than it would have.
        var mapFailed: [Int: DocumentFailure] = [:]
        if let pending = staged.pending, !failures.isEmpty {
            mapFailed = pending.map(&documents, at: documents.indices.filter { failures[$0] != nil })
            for position in mapFailed.keys { failures[position] = nil }
        }
        for group in groups {
            Document.setProperties(TableReference.propertyNames, to: group.table.propertyValues, on: &documents, at: group.positions)
        }
        // Every document written (the usual case): they all go on, as they are.
        if failures.isEmpty, mapFailed.isEmpty {
            var outcome = OperationOutcome(outputs: documents)
            outcome.logLines = log
            return outcome
        }
        for position in documents.indices {
            if !mapFailed.isEmpty, mapFailed[position] != nil { continue }
            if !deadLettered.isEmpty, deadLettered.contains(position) {
                documents[position].properties["bigquery.deadLetter"] = "true"
                documents[position].properties["bigquery.deadLetterReason"] = failures[position]
                dead.append(DeadLetter(index: documents[position].index, reason: failures[position] ?? ""))
                outputs.append(documents[position])
            } else if !failures.isEmpty, let message = failures[position] {
                failed.append(DocumentFailure(document: documents[position], message: message, code: codes[position] ?? .connector))
            } else {
                outputs.append(documents[position])
            }
        }
        var outcome = OperationOutcome(outputs: outputs, failures: failed, deadLettered: dead)
        outcome.logLines = log
        outcome.mapFailures = mapFailed.keys.sorted().compactMap { mapFailed[$0] }
        return outcome
    }

    /// CDC: the document properties `bigquery.changeType` and `bigquery.changeSequenceNumber` fill
    /// `_CHANGE_TYPE` and `_CHANGE_SEQUENCE_NUMBER` when the row has no member of that name.
    static func addChangeProperties(of document: Document, to row: inout JSONValue) {
        guard case .object(var object) = row else { return }
        let names = Set(object.keys.map { $0.uppercased() })
        if !names.contains(StorageRowPreparer.changeType), let type = document.properties["bigquery.changeType"] {
            object[StorageRowPreparer.changeType] = .string(type)
        }
        if !names.contains(StorageRowPreparer.changeSequenceNumber),
           let sequence = document.properties["bigquery.changeSequenceNumber"] {
            // Properties are text: only digits means a decimal number, anything else BigQuery's hexadecimal form.
            let decimal = !sequence.isEmpty && sequence.allSatisfy { $0.isASCII && $0.isNumber }
            object[StorageRowPreparer.changeSequenceNumber] = decimal ? .number(sequence) : .string(sequence)
        }
        row = .object(object)
    }

    /// The writer of a destination, created on first use.
    func writer(for table: TableReference, context: OperationContext) -> StorageTableWriter {
        pool.writers.withLock { writers in
            if let writer = writers[table] { return writer }
            var options = StorageTableWriter.Options()
            options.exactlyOnce = settings.delivery == .exactlyOnce
            options.maxRowsPerRequest = settings.batchCount
            options.retry = retry
            options.onRetry = countRetry
            options.onWait = noteRetry
            options.responseTimeout = responseTimeout
            options.processID = context.execution.processID
            options.executionID = context.execution.id
            options.sink = settings.sink
            let jobs = JobsREST(rest: rest)
            let writer = StorageTableWriter(table: table, options: options, client: client,
                                            checkpoints: checkpoints) { try await jobs.getTable(table) }
            writers[table] = writer
            return writer
        }
    }

    func close() async {
        let all = pool.writers.withLock { writers in
            defer { writers.removeAll() }
            return Array(writers.values)
        }
        for writer in all { await writer.close() }
        await client.shutdown(within: responseTimeout)
    }
}
