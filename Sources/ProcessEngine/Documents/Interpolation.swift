import ConveyorBase

/// A text setting with `{name}` placeholders, parsed once and filled per document.
///
/// `{name}` is the dynamic document property `name`, `{process:name}` a process property,
/// `{execution:id}` a field of the execution; `{{` and `}}` are literal braces.
/// An unknown name is an error for that document, never an empty string.
public struct InterpolatedText: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case documentProperty(String)
        case processProperty(String)
        case execution(String)
    }

    let parts: [Part]

    /// Parses a template; unbalanced braces are an error.
    public init(_ template: String) throws(DocumentError) {
        var parts: [Part] = []
        var scanner = BraceTemplate(template)
        while true {
            let token: BraceTemplate.Token?
            do {
                token = try scanner.next()
            } catch {
                switch error {
                case .unclosedBrace:
                    throw DocumentError("'\(template)': '{' without a closing '}' (write '{{' for a literal brace)", code: .setting)
                case .unopenedBrace:
                    throw DocumentError("'\(template)': '}' without an opening '{' (write '}}' for a literal brace)", code: .setting)
                }
            }
            switch token {
            case nil: self.parts = parts; return
            case .literal(let text): parts.append(.literal(text))
            case .placeholder(let name): parts.append(try Self.placeholder(name, in: template))
            }
        }
    }

    private static func placeholder(_ name: String, in template: String) throws(DocumentError) -> Part {
        if name.hasPrefix("process:") { return .processProperty(String(name.dropFirst("process:".count))) }
        if name.hasPrefix("execution:") { return .execution(String(name.dropFirst("execution:".count))) }
        if name.isEmpty || name.contains(":") {
            throw DocumentError("'\(template)': '{\(name)}' is not a document property, {process:…} or {execution:…}", code: .setting)
        }
        return .documentProperty(name)
    }

    /// The document properties the text reads (`{name}` placeholders), in order of appearance.
    public var documentPropertyNames: [String] {
        parts.compactMap { if case .documentProperty(let name) = $0 { name } else { nil } }
    }

    /// True when the text has no placeholders (the same for every document).
    public var isConstant: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// Fills the placeholders for one document.
    public func render(document: Document, processProperties: [String: String],
                       execution: ExecutionInfo) throws(DocumentError) -> String {
        try render(document: document, processProperties: processProperties, execution: execution, encoding: { $0 })
    }

    /// Fills the placeholders for one document, passing each filled-in value (never the literal
    /// text around it) through `encoding`, such as percent-encoding for a URL path segment.
    public func render(document: Document, processProperties: [String: String], execution: ExecutionInfo,
                       encoding: (String) -> String) throws(DocumentError) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
            case .documentProperty(let name):
                guard let value = document.property(name) else {
                    throw DocumentError("document property '\(name)' is not set on document \(document.index)", code: .property)
                }
                result += encoding(value)
            case .processProperty(let name):
                guard let value = processProperties[name] else {
                    throw DocumentError("process property '\(name)' is not set", code: .property)
                }
                result += encoding(value)
            case .execution(let field):
                result += try encoding(Self.executionField(field, execution))
            }
        }
        return result
    }

    static func executionField(_ field: String, _ execution: ExecutionInfo) throws(DocumentError) -> String {
        switch field {
        case "id": return execution.id
        case "processId": return execution.processID
        case "processName": return execution.processName
        case "startTime": return ISO8601DateFormatter.internetUTC.string(from: execution.startTime)
        case "trigger": return execution.trigger.rawValue
        default:
            throw DocumentError("'{execution:\(field)}' is not an execution field (id, processId, processName, startTime, trigger)", code: .setting)
        }
    }
}

import Foundation
