import ArgumentParser
import ExecutionStore
import Foundation
import HostService
import ProcessEngine
import ProcessModel

extension ExecutionsCommand {
    /// `conveyor executions retry ID`: sends an execution's failed documents through its process again.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Send the failed documents of an execution through its process again, as a new execution.",
            discussion: """
                The content each failed or dead-lettered document had at the connector shape where it failed \
                (kept by the process's captureDocuments, "errors" by default) is sent into that shape again, \
                or into the shape after the start shape when the process says retryFrom="start". The new \
                execution has the trigger retry, the id ID-retry and the original as its parent; it is \
                recorded and locked as `conveyor run` does. An execution is retried once: a second retry is \
                refused (retry the retry instead) unless --force is given. Exit code 0 when the retry \
                completes, 1 when it ends in ERROR or cannot start (nothing kept, a content kept cut at \
                captureLimit or holding a secret, the execution still running).
                """
        )

        @Argument(help: "The execution id (or a prefix of at least 8 characters).")
        var id: String

        @Flag(name: .long, help: "Retry even when the execution was retried already (what that retry delivered is sent again).")
        var force = false

        @Flag(name: .long, help: "Print the execution as JSON instead of a summary.")
        var json = false

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var extensions: ExtensionsOption

        func run() async throws {
            let workspace = try options.loadWorkspace(extensions: extensions.extensions)
            let store = try options.openStore()
            let redactor = SecretRedactor(workspace.secretValues)
            let retry: RetryPlanner.Retry
            do {
                retry = try RetryPlanner(store: store, workspace: workspace).retry(executionID: id, force: force)
            } catch let refusal as RetryPlanner.Refusal {
                Terminal.error("error: " + redactor.redact(refusal.message))
                throw ExitCode(1)
            }
            let processID = retry.original.processID
            let lock = try RunCommand.lockIfExclusive(processID, executionID: retry.executionID, in: workspace,
                                                      store: store, root: options.root)
            defer { lock?.release() }
            let recorder = StoreRecorder(store: store, redactor: redactor, numberFields: workspace.numberTrackedFields)
            var runner = ProcessRunner(workspace: workspace, connectors: options.connectors(),
                                       recorder: recorder, environment: options.environment)
            runner.checkpoints = store
            let progress = ProgressDisplay(drawsLine: ProgressDisplay.wanted(json: json), redactor: redactor)
            runner.progress = progress
            let execution = await runner.run(processID: processID, trigger: .retry, executionID: retry.executionID,
                                             retry: retry.plan)
            progress.finish()
            if execution.status == .error, execution.error?.hasPrefix("could not record the execution") == true {
                Terminal.error("error: execution \(retry.original.id) is being retried by another host or command "
                               + "(\(retry.executionID)); nothing was sent again")
                throw ExitCode(1)
            }
            RunCommand.report(execution, store: store, recorder: recorder, json: json)
            if execution.status == .error { throw ExitCode(1) }
        }
    }
}
