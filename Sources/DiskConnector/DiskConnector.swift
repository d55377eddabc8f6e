import Foundation
import ProcessEngine
import ProcessModel

/// The `disk` connector: reads documents from files in a directory (`get`) and writes
/// documents to files in it (`send`). Paths never leave the connection's directory.
public struct DiskConnector: Connector {
    public let type = "disk"

    public init() {}

    public func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if connection.settings.text(of: "directory")?.isEmpty ?? true {
            problems.append(Diagnostic(connection.location, "disk connection '\(connection.id)' needs a <directory>"))
        }
        let templates = [("directory", connection.settings.text(of: "directory"),
                          connection.settings.child("directory")?.location ?? connection.location),
                         ("filePattern", operation.action == "get" ? operation.settings.text(of: "filePattern") : nil,
                          operation.settings.child("filePattern")?.location ?? operation.location)]
        for case let (name, text?, location) in templates {
            do {
                let template = try InterpolatedText(text)
                if let property = template.documentPropertyNames.first {
                    problems.append(Diagnostic(location, "<\(name)> '\(text)': '{\(property)}' is a document property; "
                                               + "only {process:…} and {execution:…} can be used here"))
                }
            } catch {
                problems.append(Diagnostic(location, "<\(name)> \(error)"))
            }
        }
        switch operation.action {
        case "get":
            if let pattern = operation.settings.text(of: "filePattern"), pattern.contains("/") {
                problems.append(Diagnostic(operation.settings.child("filePattern")?.location ?? operation.location,
                    "filePattern '\(pattern)' matches file names in the connection's directory and cannot contain '/': "
                        + "point the connection's <directory> at the folder instead"))
            }
            if let split = operation.settings.child("split"), let by = split.attributes["by"],
               DiskSplit(rawValue: by) == nil {
                problems.append(Diagnostic(split.location,
                    "split by '\(by)' is not supported: use none, json-lines, json-array or csv-rows"))
            }
        case "send":
            if operation.settings.text(of: "fileName")?.isEmpty ?? true {
                problems.append(Diagnostic(operation.location, "disk send operation '\(operation.id)' needs a <fileName>"))
            }
        default:
            problems.append(Diagnostic(operation.location,
                "disk operation '\(operation.id)' has action '\(operation.action)': use get or send"))
        }
        return problems
    }

    public func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                              environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        let directoryText = connection.settings.text(of: "directory") ?? "."
        let directoryTemplate = try InterpolatedText(directoryText)
        let patternTemplate = try InterpolatedText(operation.settings.text(of: "filePattern") ?? "*")
        if !directoryTemplate.isConstant || (operation.action == "get" && !patternTemplate.isConstant) {
            return try templateOperation(directory: directoryTemplate, pattern: patternTemplate, operation: operation,
                                         root: environment.workspaceRoot)
        }
        let directory = Self.resolve(directoryText, in: environment.workspaceRoot)
        switch operation.action {
        case "get":
            let by = operation.settings.child("split")?.attributes["by"] ?? "none"
            guard let split = DiskSplit(rawValue: by) else {
                throw DiskError("operation '\(operation.id)': split by '\(by)' is not supported")
            }
            return DiskGetOperation(
                directory: directory,
                pattern: try patternTemplate.render(document: Document(data: [], properties: [:]), processProperties: [:],
                                                    execution: ExecutionInfo(id: "", processID: "", processName: "",
                                                                             startTime: Date(), trigger: .manual)),
                split: split,
                header: operation.settings.child("split")?.attributes["header"] == "true",
                deleteAfterRead: operation.settings.text(of: "deleteAfterRead") == "true")
        case "send":
            return try DiskSendOperation(
                directory: directory,
                fileName: InterpolatedText(operation.settings.text(of: "fileName") ?? ""),
                append: operation.settings.text(of: "append") == "true")
        default:
            throw DiskError("operation '\(operation.id)': unknown disk action '\(operation.action)'")
        }
    }

    /// The operation for a directory or pattern with placeholders, filled per execution.
    private func templateOperation(directory: InterpolatedText, pattern: InterpolatedText, operation: OperationDefinition,
                                   root: String) throws -> any ConnectorOperation {
        switch operation.action {
        case "get":
            let by = operation.settings.child("split")?.attributes["by"] ?? "none"
            guard let split = DiskSplit(rawValue: by) else {
                throw DiskError("operation '\(operation.id)': split by '\(by)' is not supported")
            }
            return DiskTemplateOperation(directory: directory, root: root, action: .get(
                pattern: pattern, split: split, header: operation.settings.child("split")?.attributes["header"] == "true",
                deleteAfterRead: operation.settings.text(of: "deleteAfterRead") == "true"))
        case "send":
            return DiskTemplateOperation(directory: directory, root: root, action: .send(
                fileName: try InterpolatedText(operation.settings.text(of: "fileName") ?? ""),
                append: operation.settings.text(of: "append") == "true"))
        default:
            throw DiskError("operation '\(operation.id)': unknown disk action '\(operation.action)'")
        }
    }

    /// An absolute, standardised path for `path` relative to `root`.
    static func resolve(_ path: String, in root: String) -> String {
        let absolute = path.hasPrefix("/") ? path : root + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}

/// How a file becomes documents.
enum DiskSplit: String, Sendable {
    case none
    case jsonLines = "json-lines"
    case jsonArray = "json-array"
    case csvRows = "csv-rows"
}

/// A disk operation failure naming the file.
public struct DiskError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
