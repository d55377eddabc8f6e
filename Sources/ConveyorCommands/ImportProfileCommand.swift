import ArgumentParser
import BigQuery
import Foundation
import ProcessEngine

/// `conveyor import-profile`: writes a `bigquery-table` profile from a table's schema.
struct ImportProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-profile",
        abstract: "Write a bigquery-table profile from the schema of a BigQuery table.",
        discussion: """
            Reads the table through a google-bigquery connection of the workspace and writes \
            profiles/ID.xml (ID defaults to the table name). An existing file is kept unless --force.
            """
    )

    @OptionGroup var options: WorkspaceOptions

    @Option(help: "The google-bigquery connection to read the table through.")
    var connection: String

    @Option(help: "The table: DATASET.TABLE or PROJECT.DATASET.TABLE.")
    var table: String

    @Option(help: "The profile id (default: the table name).")
    var id: String?

    @Option(help: "Where to write the profile (default: profiles/ID.xml in the workspace).")
    var output: String?

    @Flag(help: "Replace an existing file.")
    var force = false

    func run() async throws {
        let workspace = try options.loadWorkspace()
        guard let definition = workspace.connections[connection] else {
            throw ValidationError("no connection '\(connection)' in the workspace (known: "
                + workspace.connections.keys.sorted().joined(separator: ", ") + ")")
        }
        guard definition.type == "google-bigquery" else {
            throw ValidationError("connection '\(connection)' has type '\(definition.type)', not google-bigquery")
        }
        let profileID = id ?? String(table.split(separator: ".").last ?? Substring(table))
        guard !profileID.isEmpty, profileID.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
            throw ValidationError("'\(profileID)' is not a usable profile id: use letters, digits, '_', '-' or '.'")
        }
        if let existing = workspace.profiles[profileID], !force {
            throw ValidationError("profile '\(profileID)' already exists (\(existing.location.file)); "
                + "choose another --id or pass --force")
        }
        let path = output.map { $0.hasPrefix("/") ? $0 : options.root + "/" + $0 }
            ?? options.root + "/profiles/\(profileID).xml"
        _ = try OutputFile.checkNotStore(path, storePath: options.storePath)
        if FileManager.default.fileExists(atPath: path) && !force {
            throw ValidationError("\(path) exists; pass --force to replace it")
        }
        let connector = BigQueryConnector(environment: options.environment)
        let xml: String
        do {
            xml = try await connector.importProfile(
                connection: definition, table: table, profileID: profileID,
                environment: ConnectorEnvironment(workspaceRoot: options.root, variables: options.environment))
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(1)
        }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Terminal.error("error: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        Terminal.line("wrote profile '\(profileID)' (\(table)) to \(path)")
    }
}
