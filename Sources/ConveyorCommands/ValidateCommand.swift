import ArgumentParser

/// `conveyor validate`: loads every component and reports every problem.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every process, connection, operation, profile and map of the workspace.",
        discussion: "Prints each problem as file:line:col: error: message. Exit code 2 when there is one."
    )

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var extensions: ExtensionsOption

    func run() async throws {
        let workspace = try options.loadWorkspace(extensions: extensions.extensions)
        let environment = workspace.extensionsEnvironment.map { " with extensions for environment '\($0)'" } ?? ""
        Terminal.line("workspace \(options.root) is valid\(environment): \(workspace.processes.count) process(es), "
            + "\(workspace.connections.count) connection(s), \(workspace.operations.count) operation(s), "
            + "\(workspace.profiles.count) profile(s), \(workspace.maps.count) map(s), "
            + "\(workspace.trackedFields.count) tracked field(s)")
    }
}
