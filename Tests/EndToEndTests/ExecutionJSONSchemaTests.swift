import Foundation
import Testing

/// The command line (`run`, `executions list|show --json`) and the REST API of `conveyor serve` write
/// executions in one JSON shape, checked here against `docs/schema/execution-summary.schema.json`
/// with a JSON Schema validator (Python `jsonschema`, draft 2020-12). Disk-only, no emulator needed.
@Suite struct ExecutionJSONSchemaTests {
    static let schema = Harness.packageRoot + "/docs/schema/execution-summary.schema.json"

    /// Validates each object against the schema; returns the validator's complaints (empty when all pass).
    static func violations(of objects: [Any], named label: String) throws -> String {
        let directory = try Harness.temporaryDirectory("schema")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (position, object) in objects.enumerated() {
            let path = directory + "/\(label)-\(position).json"
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let output = try Harness.run(Harness.python, ["-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for path in sys.argv[2:]:
                for error in validator.iter_errors(json.load(open(path))):
                    print(f"{path.rsplit('/', 1)[-1]} {error.json_path}: {error.message}")
            """, schema] + paths)
        #expect(output.status == 0, "validator failed: \(output.stderr)")
        return output.stdout
    }

    @Test("run, executions list/show --json and the REST API write executions the schema describes")
    func cliAndRESTMatchTheSchema() async throws {
        let workspace = try ParentExecutionTests.callingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let run = try await Harness.conveyor(["run", "parent", "--workspace", workspace, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let ran = try #require(try Harness.json(run.stdout) as? [String: Any])
        let parentID = try #require(ran["id"] as? String)
        #expect((ran["shapes"] as? [[String: Any]])?.map { $0["shapeId"] as? String } == ["start", "write", "call", "done"])

        let list = try await Harness.conveyor(["executions", "list", "--workspace", workspace, "--json"])
        let listed = try #require(try Harness.json(list.stdout) as? [[String: Any]])
        #expect(listed.count == 2)
        let child = try #require(listed.first { $0["parentExecutionId"] as? String == parentID })
        let childID = try #require(child["id"] as? String)

        let show = try await Harness.conveyor(["executions", "show", parentID, "--workspace", workspace, "--json"])
        let shown = try #require(try Harness.json(show.stdout) as? [String: Any])
        #expect((shown["documents"] as? [Any])?.isEmpty == false)
        #expect((shown["childExecutions"] as? [[String: Any]])?.first?["id"] as? String == childID)

        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let apiList = try #require(try Harness.json(try await ServeHost.curl([host.base + "/api/executions"])) as? [String: Any])
        let apiExecutions = try #require(apiList["executions"] as? [[String: Any]])
        #expect(apiExecutions.count == 2)
        let apiChild = try #require(try Harness.json(try await ServeHost.curl([host.base + "/api/executions/\(childID)"]))
                                    as? [String: Any])
        try await host.stop()

        // The REST API and the command line agree field for field on the same execution.
        #expect(NSDictionary(dictionary: apiChild).isEqual(to: child), "REST \(apiChild)\nCLI \(child)")
        #expect(apiChild["retries"] as? Int == 0)
        #expect((apiChild["shapes"] as? [[String: Any]])?.first?["shapeId"] as? String == "start")

        let objects: [Any] = [ran, shown] + listed + apiExecutions + [apiChild]
        let violations = try Self.violations(of: objects, named: "execution")
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test("the validator rejects an execution whose field the schema does not declare")
    func validatorRejectsAnUndeclaredField() throws {
        let object: [String: Any] = [
            "id": "ex-1", "processId": "p", "processName": "P", "trigger": "manual", "status": "COMPLETE",
            "startTime": "2026-11-21T12:00:00.123Z", "documentsIn": 1, "documentsOut": 1, "documentsError": 0,
            "documentsDeadLettered": 0, "retries": 0, "userLog": [String](),
            "shapeCounts": [["shapeID": "start", "documentsIn": 1, "documentsOut": 1, "documentsError": 0]],
        ]
        let violations = try Self.violations(of: [object], named: "old-rest")
        #expect(violations.contains("'shapes' is a required property"), "\(violations)")
        #expect(violations.contains("'shapeCounts' was unexpected"), "\(violations)")
    }
}
