import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import Synchronization

/// `action="streaming-insert"` with `<api>storage-write</api>`: rows go through the Storage
/// Write API, one ``StorageTableWriter`` (and one `AppendRows` stream) per destination table,
/// reused for the whole execution and closed by ``close()``.
struct StorageWriteOperation: ConnectorOperation {
    let settings: StreamingInsertSettings
    let client: StorageWriteClient
    let rest: BigQueryREST
    let checkpoints: (any WriteCheckpointStore)?
    let retry: RetryPolicy
    /// Counts each resend after a transient failure in the execution's record.
    var countRetry: @Sendable () -> Void = {}
    /// How long each Storage Write API response may take (the connection's request timeout).
    var responseTimeout: Duration = .seconds(60)
    /// Writers by destination, shared by the copies of this operation.
    private let pool = WriterPool()

    /// Writers by destination; the dictionary is guarded by the mutex (writers themselves are actors).
    private final class WriterPool: Sendable {
        let writers = Mutex<[TableReference: StorageTableWriter]>([:])
    }

    init(settings: StreamingInsertSettings, client: StorageWriteClient, rest: BigQueryREST,
         checkpoints: (any WriteCheckpointStore)?, retry: RetryPolicy) {
        self.settings = settings
        self.client = client
        self.rest = rest
        self.checkpoints = checkpoints
        self.retry = retry
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var documents = documents
        var failures: [Int: String] = [:]
        var groups: [TableReference: [Int]] = [:]
        var order: [TableReference] = []
        var rows: [JSONValue] = Array(repeating: .null, count: documents.count)
        var destinations: [Int: TableReference] = [:]
        for position in documents.indices {
            do {
                let table = TableReference(project: try context.interpolate(settings.projectID, for: documents[position]),
                                           dataset: try context.interpolate(settings.datasetID, for: documents[position]),
                                           table: try context.interpolate(settings.tableID, for: documents[position]))
                rows[position] = try documents[position].json()
                destinations[position] = table
                if groups[table] == nil { order.append(table) }
                groups[table, default: []].append(position)
            } catch {
                failures[position] = "\(error)"
            }
        }
        let results = await withTaskGroup(of: (positions: [Int], failures: [Int: String]).self) { group in
            for table in order {
                let positions = groups[table] ?? []
                let writer = writer(for: table, context: context)
                let batch = positions.map { rows[$0] }
                group.addTask { (positions, await writer.write(batch)) }
            }
            var collected: [(positions: [Int], failures: [Int: String])] = []
            for await result in group { collected.append(result) }
            return collected
        }
        for result in results {
            for (index, message) in result.failures { failures[result.positions[index]] = message }
        }
        var outputs: [Document] = []
        var failed: [DocumentFailure] = []
        for position in documents.indices {
            if let table = destinations[position] {
                documents[position].properties["bigquery.projectId"] = table.project
                documents[position].properties["bigquery.datasetId"] = table.dataset
                documents[position].properties["bigquery.tableId"] = table.table
            }
            if let message = failures[position] {
                failed.append(DocumentFailure(document: documents[position], message: message))
            } else {
                outputs.append(documents[position])
            }
        }
        return OperationOutcome(outputs: outputs, failures: failed)
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
            options.responseTimeout = responseTimeout
            options.processID = context.execution.processID
            options.executionID = context.execution.id
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
        await client.shutdown()
    }
}
