import ArgumentParser
import Foundation
import ProcessDiagram
import ProcessModel

/// `conveyor graph PROCESS`: draws a process as SVG, Graphviz DOT or Mermaid.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a process: every shape with its kind and id, every exit labelled, left to right.",
        discussion: """
            svg is drawn by Conveyor itself (no Graphviz needed); dot is for Graphviz (dot -Tpng); \
            mermaid is a flowchart for Markdown. Example: conveyor graph orders-to-bigquery --output orders.svg
            """
    )

    @Argument(help: "A process id, or the path of its file.")
    var process: String

    /// The formats, as the option names them.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case svg, dot, mermaid
    }

    @Option(name: .long, help: "svg (default), dot or mermaid.")
    var format: Format = .svg

    @Option(name: .long, help: "Write to this file instead of standard output.")
    var output: String?

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var extensions: ExtensionsOption

    func run() async throws {
        let workspace = try options.loadWorkspace(extensions: extensions.extensions)
        let definition = try Self.resolve(process, in: workspace)
        let diagramFormat = DiagramFormat(rawValue: format.rawValue) ?? .svg
        let text = ProcessDiagram.render(definition, as: diagramFormat, redactor: SecretRedactor(workspace.secretValues))
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let file = try OutputFile(output, storePath: options.storePath)
        do {
            try file.handle.write(contentsOf: Data(text.utf8))
            try file.commit()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            file.discard()
            Terminal.error("error: cannot write \(output): \(error)")
            throw ExitCode(1)
        }
        Terminal.error("wrote the \(format.rawValue) diagram of process '\(definition.id)' to \(output)")
    }

    /// The process with this id, or defined in this file; a usage error naming the known
    /// processes (and the closest one) otherwise.
    static func resolve(_ process: String, in workspace: Workspace) throws -> ProcessDefinition {
        if let definition = workspace.processes[process] { return definition }
        let path = process.hasPrefix("/") ? process : FileManager.default.currentDirectoryPath + "/" + process
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        for (id, file) in workspace.files.sorted(by: { $0.key < $1.key }) {
            guard let definition = workspace.processes[id] else { continue }
            if URL(fileURLWithPath: workspace.root + "/" + file).standardizedFileURL.path == absolute { return definition }
        }
        throw ValidationError.unknownProcess(process, root: workspace.root, known: Array(workspace.processes.keys), suggesting: true)
    }
}
