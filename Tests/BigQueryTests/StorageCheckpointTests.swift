@testable import BigQuery
import DocumentMapping
import Foundation
import GoogleAuth
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// A checkpoint store in memory with the engine's guarantees: ownership (a checkpoint is handed
/// over only from an ended execution) and never backwards.
final class MemoryCheckpoints: CheckpointStore {
    private let state = Mutex<(checkpoints: [String: WriteCheckpoint], running: Set<String>)>(([:], []))

    init(_ checkpoints: [WriteCheckpoint] = [], running: Set<String> = []) {
        state.withLock { state in
            for checkpoint in checkpoints { state.checkpoints[checkpoint.processID + "/" + checkpoint.destination] = checkpoint }
            state.running = running
        }
    }

    func checkpoint(processID: String, destination: String) -> WriteCheckpoint? {
        state.withLock { $0.checkpoints[processID + "/" + destination] }
    }

    func claimCheckpoint(processID: String, destination: String, executionID: String) throws -> WriteCheckpointClaim {
        state.withLock { state in
            let key = processID + "/" + destination
            guard var found = state.checkpoints[key] else {
                state.checkpoints[key] = WriteCheckpoint(processID: processID, destination: destination, stream: "",
                                                          nextOffset: 0, rowsDone: 0, executionID: executionID)
                return .fresh
            }
            if found.executionID == executionID || state.running.contains(found.executionID) {
                return .held(by: found.executionID)
            }
            found.executionID = executionID
            state.checkpoints[key] = found
            return .resumed(found)
        }
    }

    struct NotOwner: Error {}

    func saveCheckpoint(_ checkpoint: WriteCheckpoint) throws {
        try state.withLock { state in
            let key = checkpoint.processID + "/" + checkpoint.destination
            if let saved = state.checkpoints[key] {
                guard saved.executionID == checkpoint.executionID,
                      saved.stream.isEmpty || saved.stream == checkpoint.stream else { throw NotOwner() }
                if !saved.stream.isEmpty, checkpoint.nextOffset < saved.nextOffset || checkpoint.rowsDone < saved.rowsDone {
                    return
                }
            }
            state.checkpoints[key] = checkpoint
        }
    }

    func releaseCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool {
        state.withLock { state in
            let key = processID + "/" + destination
            guard state.checkpoints[key]?.executionID == executionID else { return false }
            state.checkpoints[key] = nil
            return true
        }
    }
}

/// How an exactly-once storage writer uses the checkpoint store the engine hands it, without a
/// Storage Write API: nothing here reaches the network.
@Suite struct StorageCheckpointTests {
    let table = TableReference(project: "demo", dataset: "d", table: "t")

    func writer(_ checkpoints: MemoryCheckpoints?, executionID: String) throws -> (StorageTableWriter, StorageWriteClient) {
        let endpoint = try #require(StorageEndpoint.parse("127.0.0.1:1", plaintext: true))
        let client = try StorageWriteClient(endpoint: endpoint, tokens: NoCredentials())
        var options = StorageTableWriter.Options()
        options.exactlyOnce = true
        options.processID = "load"
        options.executionID = executionID
        let schema = try JSONParser.parse(Array(#"{"schema": {"fields": [{"name": "id", "type": "INTEGER"}]}}"#.utf8))
        return (StorageTableWriter(table: table, options: options, client: client, checkpoints: checkpoints) { schema }, client)
    }

    @Test("a checkpoint an execution still running owns refuses the writer and stays as it is")
    func heldCheckpointRefuses() async throws {
        let owned = WriteCheckpoint(processID: "load", destination: "demo.d.t", stream: "streams/s1",
                                     nextOffset: 40, rowsDone: 50, executionID: "exec-1")
        let store = MemoryCheckpoints([owned], running: ["exec-1"])
        let (writer, client) = try writer(store, executionID: "exec-2")
        defer { Task { await client.shutdown(within: .seconds(5)) } }
        await #expect(throws: StorageWriteRefusal.self) { try await writer.prepare() }
        #expect(store.checkpoint(processID: "load", destination: "demo.d.t") == owned)
        #expect(await writer.stream == nil)
    }

    @Test("a writer resumes the stream an ended execution left, then saves forward under its own execution")
    func resumesAndSavesForward() async throws {
        let left = WriteCheckpoint(processID: "load", destination: "demo.d.t", stream: "streams/s1",
                                    nextOffset: 40, rowsDone: 50, executionID: "exec-1")
        let store = MemoryCheckpoints([left])
        let (writer, client) = try writer(store, executionID: "exec-2")
        defer { Task { await client.shutdown(within: .seconds(5)) } }
        try await writer.prepare()
        #expect(await writer.stream == "streams/s1")
        #expect(await writer.nextOffset == 40)
        #expect(await writer.resumeRows == 50)
        #expect(store.checkpoint(processID: "load", destination: "demo.d.t")?.executionID == "exec-2")
        try await writer.saveCheckpoint(rowsDone: 60)
        let saved = try #require(store.checkpoint(processID: "load", destination: "demo.d.t"))
        #expect(saved.stream == "streams/s1" && saved.nextOffset == 40 && saved.rowsDone == 60 && saved.executionID == "exec-2")
    }

    @Test("exactly-once delivery without a checkpoint store is refused with a clear error")
    func exactlyOnceNeedsCheckpointStore() async throws {
        let connection = ConnectionDefinition(id: "bq", type: "google-bigquery", settings: SettingsElement(
            name: "connection", children: [
                SettingsElement(name: "projectId", text: "demo", location: jobsHere),
                SettingsElement(name: "auth", attributes: ["grant": "none"], location: jobsHere),
            ], location: jobsHere), location: jobsHere)
        let operation = jobOperation("streaming-insert", [("datasetId", "d"), ("tableId", "t"),
                                                         ("api", "storage-write"), ("delivery", "exactly-once")])
        let variables = ["BIGQUERY_STORAGE_EMULATOR_HOST": "127.0.0.1:1"]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        let connector = BigQueryConnector(environment: variables)
        do {
            _ = try await connector.makeOperation(connection: connection, operation: operation,
                                                  environment: ConnectorEnvironment(workspaceRoot: root, variables: variables))
            Issue.record("exactly-once delivery should need a checkpoint store")
        } catch let error as DocumentError {
            #expect(error.message.contains("no checkpoint store"))
        }
        // Nothing was opened or created in the workspace.
        #expect(!FileManager.default.fileExists(atPath: root + "/.conveyor"))
        let memory = MemoryCheckpoints()
        let made = try await connector.makeOperation(connection: connection, operation: operation,
                                                     environment: ConnectorEnvironment(workspaceRoot: root, variables: variables,
                                                                                       checkpoints: memory))
        await made.close()
    }
}
