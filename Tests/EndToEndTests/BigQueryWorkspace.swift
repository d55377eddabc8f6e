import Foundation

/// A temporary workspace with the emulator connection, a disk folder `out/`, and processes that
/// run one google-bigquery operation on `--input` documents and append the results to a file.
struct BigQueryWorkspace {
    let root: String

    init() throws {
        root = try Harness.temporaryDirectory("bq-workspace")
        for folder in ["processes", "connectors", "profiles", "out", "in"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try write("connectors/bigquery.xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <connection id="bigquery" type="google-bigquery">
              <projectId>demo</projectId>
              <location>US</location>
              <auth grant="none"/>
              <retry maxAttempts="2" initialBackoff="200ms" maxBackoff="1s"/>
            </connection>
            """)
        try write("connectors/out.xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <connection id="out" type="disk"><directory>out</directory></connection>
            """)
        try write("connectors/append-out.xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <operation id="append-out" type="disk" action="send">
              <fileName>results.jsonl</fileName>
              <append>true</append>
            </operation>
            """)
    }

    /// Writes a file inside the workspace.
    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
    }

    /// Adds operation `id` (settings XML inside <operation>) and a process `id` running it from
    /// an `<input/>` start shape into `out/results.jsonl`.
    func addProcess(_ id: String, action: String, settings: String) throws {
        try write("connectors/\(id)-op.xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <operation id="\(id)-op" type="google-bigquery" action="\(action)">
            \(settings)
            </operation>
            """)
        try write("processes/\(id).xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <process id="\(id)" name="\(id)">
              <shapes>
                <start id="start" next="call"><input/></start>
                <connector id="call" connection="bigquery" operation="\(id)-op" next="save"/>
                <connector id="save" connection="out" operation="append-out" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """)
    }

    /// Runs a process with one input document; returns the execution JSON.
    func run(_ process: String, input: String) throws -> (status: Int32, execution: [String: Any], stderr: String) {
        let inputPath = root + "/in/\(UUID().uuidString.prefix(8)).json"
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        let output = try Harness.conveyor(["run", process, "--workspace", root, "--input", inputPath, "--json"])
        let execution = (try? Harness.json(output.stdout)) as? [String: Any] ?? [:]
        return (output.status, execution, output.stderr + output.stdout)
    }

    /// The documents the process appended, one JSON object per line.
    func results() throws -> [[String: Any]] {
        try Harness.jsonLines(String(contentsOfFile: root + "/out/results.jsonl", encoding: .utf8))
    }
}
