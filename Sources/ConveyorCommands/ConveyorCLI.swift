import ArgumentParser
import ConveyorBase
import Foundation

/// The `conveyor` command-line interface.
public enum ConveyorCLI {
    /// Parses the arguments and runs the command. Exit codes: 0 complete, 1 execution error,
    /// 2 invalid definitions or usage.
    public static func main() async -> Never {
        do {
            var command = try parse(Array(CommandLine.arguments.dropFirst()))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            let code = ConveyorCommand.exitCode(for: error)
            if code == .success {
                print(ConveyorCommand.fullMessage(for: error))
                exit(0)
            }
            // A usage error quotes the arguments as given: their control characters are escaped.
            let message = PrintableText.escapingControls(ConveyorCommand.fullMessage(for: error), keepingLineBreaks: true)
            if !message.isEmpty { Terminal.error(message) }
            if code == .validationFailure { exit(2) }
            exit(code.rawValue)
        }
    }

    /// The command `arguments` name. A `run` written plainly is read without the argument parser
    /// (``RunCommand/plainly(_:)``); another `run` is parsed with ``RunCommand`` as the root first (see
    /// ``RunCommand/parsesDirectly(_:)``); when that finds anything but a run to start (help, a
    /// version, a usage error), the root command parses them again, so every message is the root's.
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        if let run = RunCommand.plainly(arguments) { return run }
        if RunCommand.parsesDirectly(arguments),
           let run = try? RunCommand.parseAsRoot(Array(arguments.dropFirst())) as? RunCommand {
            return run
        }
        return try ConveyorCommand.parseAsRoot(arguments)
    }
}

/// `conveyor`: the root command.
struct ConveyorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conveyor",
        abstract: "Run integration processes written as XML: validate them, run them, and audit what they did.",
        discussion: """
            Exit codes: 0 the command or execution completed, 1 the execution ended in ERROR, \
            2 invalid definitions or usage.
            """,
        version: ConveyorVersion.current,
        subcommands: [ValidateCommand.self, RunCommand.self, ExecutionsCommand.self, TrackedCommand.self, AuditCommand.self,
                      PropertiesCommand.self, AuthCommand.self, ImportProfileCommand.self, GraphCommand.self,
                      ServeCommand.self, SchedulesCommand.self, StoreCommand.self]
    )
}

/// Writing to the terminal: results to stdout, problems to stderr.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }

    /// Writes `text` and a newline to C's buffered stdout, as `print` does, without `print`'s
    /// dynamic casts of its argument (their first use costs the runtime conformance scans of the
    /// whole executable, about 2 M instructions of every `conveyor run`). `puts` stops at a NUL
    /// byte, so text holding one goes through `print`, which writes it whole.
    static func line(_ text: String = "") {
        if text.utf8.contains(0) {
            print(text)
            return
        }
        _ = puts(text)
    }
}

/// Exit with code 2 after the problem was printed.
struct InvalidDefinitions: Error {}

/// Exit with code 1: the execution ended in ERROR (already reported).
struct ExecutionFailed: Error {}
