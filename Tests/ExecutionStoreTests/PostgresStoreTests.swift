import Foundation
import NIOPosix
import Synchronization
import Testing
@testable import ExecutionStore

/// What only a PostgreSQL store does: leases as advisory locks, its own schema versions, its URL.
@Suite(.enabled(if: TemporaryDatabase.onPostgres, "runs when the store tests run against PostgreSQL"))
struct PostgresStoreTests {
    static func record(_ id: String, parent: String? = nil) -> ExecutionRecord {
        ExecutionRecord(id: id, processID: "p", processName: "P", trigger: parent == nil ? "manual" : "subprocess",
                        startTime: date(1_714_567_890_000), parentExecutionID: parent)
    }

    /// A store whose last reference goes on an event loop thread (a server's closure ending there)
    /// closes its connections without waiting, which NIO forbids there; they still close.
    @Test func aStoreReleasedOnAnEventLoopThreadClosesItsConnections() async throws {
        let database = try TemporaryDatabase()
        let holder = Mutex<ExecutionStore?>(try ExecutionStore(path: database.path))
        let sessions = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND application_name LIKE 'conveyor %' AND pid <> pg_backend_pid()"
        #expect(try TestDatabaseServer.psql(database.path, sessions).trimmingCharacters(in: .whitespacesAndNewlines) != "0")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await group.next().submit { holder.withLock { $0 = nil } }.get()
        var open = ""
        for _ in 0..<100 {
            open = try TestDatabaseServer.psql(database.path, sessions).trimmingCharacters(in: .whitespacesAndNewlines)
            if open == "0" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(open == "0", "the released store's sessions are closed")
        try await group.shutdownGracefully()
    }

    @Test func aHeldLeaseKeepsTheExecutionInProcessAndAClosedSessionFreesIt() throws {
        let database = try TemporaryDatabase()
        let owner = try ExecutionStore(path: database.path)
        let other = try ExecutionStore(path: database.path)
        let lease = try #require(try owner.lease(executionID: "ex-live"))
        try owner.insert(Self.record("ex-live"))
        try owner.insert(Self.record("ex-child", parent: "ex-live"))
        // Another command (another session) sees the lease held and leaves the execution alone.
        #expect(try other.abortOrphaned().isEmpty)
        #expect(try other.liveExecutionIDs() == ["ex-live", "ex-child"])
        #expect(try other.execution(id: "ex-live")?.status == .inProcess)
        // The same id cannot be leased twice.
        #expect(throws: StoreError.self) { try other.lease(executionID: "ex-live") }
        // The owner's lock session ends without releasing, as when its command is killed.
        try openRaw(database.path).execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'conveyor locks' "
                + "AND datname = current_database()", operation: "kill the lock session")
        _ = lease
        try waitUntil { try other.liveExecutionIDs().isEmpty }
        #expect(Set(try other.abortOrphaned(at: date(1_714_567_900_000))) == ["ex-live", "ex-child"])
        let dead = try #require(try other.execution(id: "ex-live"))
        #expect(dead.status == .aborted)
        #expect(dead.error?.contains("ended (crash, kill or lost connection)") == true, "\(dead.error ?? "")")
        #expect(try other.execution(id: "ex-child")?.status == .aborted)
        #expect(try other.verifyChain().isIntact)
    }

    @Test func aReleasedLeaseLetsAnExecutionBeTakenOver() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        let lease = try #require(try store.lease(executionID: "ex-a"))
        try store.insert(Self.record("ex-a"))
        #expect(try store.claimWriteCheckpoint(processID: "p", destination: "t", executionID: "ex-a") == .fresh)
        try store.insert(Self.record("ex-b"))
        #expect(try store.claimWriteCheckpoint(processID: "p", destination: "t", executionID: "ex-b") == .held(by: "ex-a"))
        lease.release()
        guard case .resumed = try store.claimWriteCheckpoint(processID: "p", destination: "t", executionID: "ex-b") else {
            Issue.record("the checkpoint of an execution whose lease is free was not resumed")
            return
        }
    }

    @Test func aDatabaseFromANewerBuildIsRefused() throws {
        let database = try TemporaryDatabase()
        _ = try ExecutionStore(path: database.path)
        try openRaw(database.path).execute("UPDATE conveyor_schema SET version = 99", operation: "downgrade test")
        let error = try #require(throws: StoreError.self) { try ExecutionStore(path: database.path) }
        #expect(error.description.contains("schema version 99"))
        #expect(error.path == database.path)
    }

    @Test func twoStoresOpeningANewDatabaseAtOnceMigrateItOnce() async throws {
        let database = try TemporaryDatabase()
        let path = database.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { _ = try ExecutionStore(path: path) } }
            try await group.waitForAll()
        }
        var versions: [Int] = []
        try openRaw(path).query("SELECT version FROM conveyor_schema", operation: "inspect") { versions.append($0.int(0)) }
        #expect(versions == [PostgresSchema.currentVersion])
    }

    @Test func anUnreachableServerIsAClearError() throws {
        let error = try #require(throws: StoreError.self) {
            try ExecutionStore(path: "postgres://conveyor@127.0.0.1:1/none")
        }
        #expect(error.description.contains("postgres://conveyor@127.0.0.1:1/none"))
        #expect(error.description.contains("connect to the store"))
    }
}

/// Polls `condition` for up to 10 seconds.
func waitUntil(_ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(10)
    while try !condition() {
        guard Date() < deadline else {
            Issue.record("the condition did not hold within 10 seconds")
            return
        }
        Thread.sleep(forTimeInterval: 0.05)
    }
}

/// The store URL: parsed without the password, with libpq's TLS modes.
@Suite struct PostgresLocationTests {
    @Test func aURLIsReadWithItsDefaults() throws {
        let local = try PostgresLocation(url: "postgres://app@127.0.0.1/conveyor")
        #expect(local.port == 5432)
        #expect(local.sslMode == .prefer)
        let remote = try PostgresLocation(url: "postgresql://app@db.example.com:6432/conveyor?sslrootcert=/etc/ca.pem")
        #expect(remote.sslMode == .verifyFull)
        #expect(remote.caFile == "/etc/ca.pem")
        #expect(remote.description == "postgres://app@db.example.com:6432/conveyor")
    }

    @Test(arguments: [
        ("postgres://app:hunter2@db/conveyor", "holds a password"),
        ("postgres://db/conveyor", "names no user"),
        ("postgres://app@db", "names no database"),
        ("postgres://app@db/conveyor?sslmode=sometimes", "sslmode 'sometimes'"),
        ("postgres://app@db/conveyor?user=x", "unknown parameter 'user'"),
        ("mysql://app@db/conveyor", "expected postgres://"),
    ])
    func aBadURLIsAClearErrorNeverShowingAPassword(url: String, message: String) throws {
        let error = try #require(throws: StoreError.self) { try PostgresLocation(url: url) }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(!error.description.contains("hunter2"))
    }
}
