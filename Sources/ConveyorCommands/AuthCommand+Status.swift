import ArgumentParser
import Foundation
import GoogleAuth
import ProcessModel

extension AuthCommand {
    /// `conveyor auth status [CONNECTION]`: each connection's grant and whether its credentials are present.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show each connection's auth grant and whether its credentials are present (never the secrets)."
        )

        @Argument(help: "Only this connection.")
        var connection: String?

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            let workspace = try options.loadWorkspace()
            var connections = AuthCommand.authenticatingConnections(workspace)
            if let connection {
                guard let only = connections.first(where: { $0.id == connection }) else {
                    throw ValidationError("connection '\(connection)' is not defined or has no <auth> in \(options.root)")
                }
                connections = [only]
            }
            guard !connections.isEmpty else {
                Terminal.line("no connections with <auth> in \(options.root)")
                return
            }
            let store = AuthCommand.store(options)
            for definition in connections {
                let auth = try AuthCommand.configuration(of: definition, options: options)
                Terminal.line("\(definition.id)  \(auth.grantName)  \(state(of: auth, connection: definition.id, store: store))")
            }
        }

        private func state(of auth: AuthConfiguration, connection: String, store: CredentialStore) -> String {
            let files = FileManager.default
            switch auth {
            case .none:
                return "no credentials needed"
            case .serviceAccountKey(let path, _, _):
                return files.isReadableFile(atPath: path) ? "key file \(path) present" : "key file \(path) missing or unreadable"
            case .signatureKey(let issuer, let path, _, _, _):
                return (files.isReadableFile(atPath: path) ? "signature key \(path) present" : "signature key \(path) missing or unreadable")
                    + " (issuer \(issuer))"
            case .applicationDefault:
                guard let path = options.environment[ApplicationDefaultCredentials.variable], !path.isEmpty else {
                    return "\(ApplicationDefaultCredentials.variable) is not set"
                }
                return files.isReadableFile(atPath: path) ? "credentials file \(path) present" : "credentials file \(path) missing or unreadable"
            case .authorizationCode:
                do {
                    guard let stored = try store.load(connection: connection) else {
                        return "not signed in: run `conveyor auth login \(connection)`"
                    }
                    let when = ISO8601DateFormatter().string(from: stored.storedAt)
                    return "signed in, refresh token stored \(when), scope \(stored.scope)"
                } catch {
                    return "\(error)"
                }
            }
        }
    }
}
