import ArgumentParser
import BigQuery
import Foundation
import GoogleAuth
import ProcessModel

/// `conveyor auth login|status`: browser sign-in for authorization-code connections.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Sign in for connections with auth grant=\"authorization-code\" and show the credentials' state.",
        subcommands: [Login.self, Status.self]
    )

    /// The `<auth>` configuration of `connection`; prints the problems and exits 2 when it is invalid.
    static func configuration(of connection: ConnectionDefinition, options: WorkspaceOptions) throws -> AuthConfiguration {
        do {
            return try BigQueryConnector.authConfiguration(of: connection, workspaceRoot: options.root)
        } catch let problems as SettingsProblems {
            for diagnostic in problems.diagnostics { Terminal.error(diagnostic.description) }
            throw ExitCode(2)
        }
    }

    /// The credential store of the workspace (or `CONVEYOR_CREDENTIALS_DIR`).
    static func store(_ options: WorkspaceOptions) -> CredentialStore {
        CredentialStore.standard(workspaceRoot: options.root, environment: options.environment)
    }

    /// The connections of `workspace` that authenticate (type google-bigquery with an `<auth>`).
    static func authenticatingConnections(_ workspace: Workspace) -> [ConnectionDefinition] {
        workspace.connections.values
            .filter { $0.type == "google-bigquery" && $0.settings.child("auth") != nil }
            .sorted { $0.id < $1.id }
    }

    /// Writes a line to stdout at once (not buffered), so that a waiting command's output can be read.
    static func immediate(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
