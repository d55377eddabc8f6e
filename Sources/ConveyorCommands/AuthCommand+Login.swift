import ArgumentParser
import Foundation
import GoogleAuth
import HTTPTransport

extension AuthCommand {
    /// `conveyor auth login CONNECTION`: the authorization code flow with PKCE on a loopback redirect.
    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "login",
            abstract: "Sign in with a browser and store the connection's refresh token.",
            discussion: """
                Listens on 127.0.0.1 (an ephemeral port unless --port), prints the authorization URL, \
                waits for the browser's redirect, exchanges the code (PKCE S256) and stores the refresh \
                token under <workspace>/.conveyor/credentials (or CONVEYOR_CREDENTIALS_DIR), readable \
                only by its owner.
                """
        )

        @Argument(help: "The id of a connection with auth grant=\"authorization-code\".")
        var connection: String

        @Option(name: .long, help: "The loopback port to listen on (default: any free port).")
        var port: Int?

        @Option(name: .long, help: "Seconds to wait for the browser's redirect.")
        var timeout: Int = 300

        @Flag(name: .long, help: "Only print the URL; do not try to open a browser.")
        var noBrowser = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            if let port, !(1...65535).contains(port) {
                throw ValidationError("--port \(port) is not a port number (1–65535)")
            }
            if timeout < 1 {
                throw ValidationError("--timeout must be at least 1 second")
            }
        }

        func run() async throws {
            let workspace = try options.loadWorkspace()
            guard let definition = workspace.connections[connection] else {
                let known = AuthCommand.authenticatingConnections(workspace).map(\.id).joined(separator: ", ")
                throw ValidationError("connection '\(connection)' is not defined in \(options.root)"
                                      + (known.isEmpty ? "" : " (connections with auth: \(known))"))
            }
            let auth = try AuthCommand.configuration(of: definition, options: options)
            guard case .authorizationCode(let client) = auth else {
                throw ValidationError("connection '\(connection)' uses auth grant '\(auth.grantName)': "
                                      + "`conveyor auth login` is only for grant=\"authorization-code\"")
            }
            do {
                try await signIn(client)
            } catch let error as AuthError {
                Terminal.error("error: \(error)")
                throw ExitCode(1)
            } catch let error as LoopbackListener.Failure {
                Terminal.error("error: \(error)")
                throw ExitCode(1)
            }
        }

        private func signIn(_ client: AuthorizationCodeClient) async throws {
            let listener = try await LoopbackListener(port: port ?? 0)
            let request = try AuthorizationRequest(client: client, redirectURI: listener.redirectURI)
            AuthCommand.immediate("Open this URL in a browser to sign in for connection '\(connection)':\n\n\(request.url)\n")
            AuthCommand.immediate("Waiting up to \(timeout) s for the redirect to \(listener.redirectURI) …")
            if !noBrowser {
                openBrowser(request.url)
            }
            let state = request.state
            let parameters = try await listener.receive(timeout: .seconds(timeout)) { parameters in
                let ok = parameters["state"] == state && parameters["code"] != nil && parameters["error"] == nil
                return Self.page(ok ? "Signed in. You can close this window and return to the terminal."
                                    : "Sign-in failed. Return to the terminal for details.")
            }
            let credentials = try await request.complete(redirect: parameters, connection: connection, http: CurlHTTPClient())
            let store = AuthCommand.store(options)
            try store.save(credentials, connection: connection)
            AuthCommand.immediate("Signed in: refresh token for connection '\(connection)' stored in \(store.path(for: connection)) "
                                  + "(scope: \(credentials.scope))")
        }

        /// Tries `xdg-open`; the URL is printed anyway, so failures are ignored.
        private func openBrowser(_ url: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["xdg-open", url]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
        }

        static func page(_ message: String) -> String {
            """
            <!doctype html><html><head><meta charset="utf-8"><title>Conveyor sign-in</title></head>
            <body style="font-family: sans-serif; margin: 3em"><h1>Conveyor</h1><p>\(message)</p></body></html>
            """
        }
    }
}
