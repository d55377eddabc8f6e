import ArgumentParser
import ExecutionStore
import Foundation
import ProcessModel

/// `conveyor properties list|reset`: the persisted process property values.
struct PropertiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "properties",
        abstract: "Show or reset the process property values kept between executions (persist=\"true\").",
        subcommands: [List.self, Reset.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List a process's persisted properties: the stored value, or the default when none is stored.")

        @Argument(help: "The process id.")
        var process: String

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            let workspace = try options.loadWorkspace()
            guard let definition = workspace.processes[process] else {
                throw ValidationError.unknownProcess(process, root: options.root, known: Array(workspace.processes.keys))
            }
            let stored = Dictionary(try options.openStore().persistedProperties(processID: process).map { ($0.name, $0) },
                                    uniquingKeysWith: { first, _ in first })
            let persisted = definition.properties.filter(\.persist)
            // The store keeps the real value (the next execution reads it back); only what is shown is redacted.
            let redactor = SecretRedactor(workspace.secretValues)
            guard !persisted.isEmpty else {
                Terminal.line("process '\(process)' has no persisted properties")
                return
            }
            for property in persisted {
                if let value = stored[property.name] {
                    Terminal.line("\(property.name) = \(redactor.redact(value.value))  (stored by execution \(value.executionID))")
                } else {
                    Terminal.line("\(property.name) = \(redactor.redact(property.value))  (default, nothing stored)")
                }
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset",
            abstract: "Forget stored values so the next execution starts from the defaults.")

        @Argument(help: "The process id.")
        var process: String

        @Argument(help: "Only this property (default: every persisted property of the process).")
        var name: String?

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            let removed = try options.openStore().resetPersistedProperties(processID: process, name: name)
            Terminal.line("reset \(removed) stored value\(removed == 1 ? "" : "s") of process '\(process)'")
        }
    }
}
