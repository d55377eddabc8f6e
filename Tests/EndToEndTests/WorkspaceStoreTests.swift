import ExecutionStore
import Foundation
import Testing
import TestSupport

/// The harness gives every command of a test workspace the same store: the workspace's SQLite file,
/// or with `CONVEYOR_TEST_STORE=postgres` a database of its own (so that run twice, the suite really
/// runs on PostgreSQL the second time, and no workspace sees another's executions).
@Suite("the test harness's store per workspace")
struct WorkspaceStoreTests {
    @Test("a command's workspace is its --workspace (relative to its directory), else its directory")
    func workspaceOfACommand() {
        #expect(Harness.workspace(of: ["run", "p", "--workspace", "/w/a"], in: "/elsewhere") == "/w/a")
        #expect(Harness.workspace(of: ["run", "p", "--workspace=/w/b"], in: nil) == "/w/b")
        #expect(Harness.workspace(of: ["executions", "--workspace", "sub"], in: "/w") == "/w/sub")
        #expect(Harness.workspace(of: ["run", "processes/copy.xml", "--input", "a.json"], in: "/w/c") == "/w/c")
    }

    @Test("every command of a workspace uses its store, and only that workspace's")
    func oneStorePerWorkspace() throws {
        let first = try Harness.trackingWorkspace("store-a", fields: [("code", "character")])
        let second = try Harness.trackingWorkspace("store-b", fields: [("code", "character")])
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        try "{\"code\": \"a\"}\n".write(toFile: first + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "track", "--workspace", first])
        #expect(run.status == 0, "\(run.stderr)")
        // Listed from the workspace's directory, without --workspace: the same store.
        let listed = try Harness.conveyor(["executions", "list", "--json"], in: first)
        #expect((try Harness.json(listed.stdout) as? [[String: Any]])?.count == 1, "\(listed.stdout)\(listed.stderr)")
        let other = try Harness.conveyor(["executions", "list", "--json", "--workspace", second])
        #expect((try Harness.json(other.stdout) as? [[String: Any]])?.isEmpty == true, "\(other.stdout)\(other.stderr)")

        let location = try WorkspaceStore.location(first)
        #expect(try WorkspaceStore.location(first) == location, "one store per workspace")
        #expect(try WorkspaceStore.location(second) != location)
        let store = try #require(WorkspaceStore.open(first))
        #expect(try store.executions(ExecutionFilter()).count == 1)
        let file = first + "/.conveyor/executions.sqlite"
        if WorkspaceStore.onPostgres {
            #expect(location.hasPrefix("postgres://"), "\(location)")
            #expect(!FileManager.default.fileExists(atPath: file), "no SQLite file when the store is PostgreSQL")
            #expect(try Harness.environment(forWorkspace: first)["CONVEYOR_STORE"] == location)
        } else {
            #expect(location == file)
            #expect(Harness.environment.merging(try TestStore.environment(forWorkspace: first)) { $1 }["CONVEYOR_STORE"]
                    == Harness.environment["CONVEYOR_STORE"], "nothing added on SQLite")
        }
    }
}
