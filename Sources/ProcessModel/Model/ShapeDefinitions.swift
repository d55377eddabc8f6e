import ConveyorBase

/// `<message>`: a text whose `{1}`, `{2}` … placeholders take the `<value>` children in order.
public struct MessageDefinition: Sendable, Hashable {
    /// The text as written (placeholders and `{{`/`}}` escapes unparsed).
    public var text: String
    public var values: [ValueDefinition]

    public init(text: String, values: [ValueDefinition]) {
        self.text = text
        self.values = values
    }

    /// One piece of a parsed message text.
    public enum Part: Sendable, Hashable {
        case literal(String)
        /// A zero-based position in ``values``.
        case value(Int)
    }

    /// The parsed text. Unbalanced braces, a placeholder that is not a number, and a number
    /// beyond the values are errors (reported when the workspace loads).
    public func parts() throws(MessageTemplateError) -> [Part] {
        var parts: [Part] = []
        var scanner = BraceTemplate(text)
        while true {
            let token: BraceTemplate.Token?
            do {
                token = try scanner.next()
            } catch {
                switch error {
                case .unclosedBrace:
                    throw MessageTemplateError("'{' without a closing '}' (write '{{' for a literal brace)")
                case .unopenedBrace:
                    throw MessageTemplateError("'}' without an opening '{' (write '}}' for a literal brace)")
                }
            }
            switch token {
            case nil:
                return parts
            case .literal(let literal):
                parts.append(.literal(literal))
            case .placeholder(let name):
                guard let number = Int(name), number >= 1 else {
                    throw MessageTemplateError("'{\(name)}' is not a value number such as {1} (write '{{' for a literal brace)")
                }
                guard number <= values.count else {
                    throw MessageTemplateError("'{\(number)}' refers to value \(number) but the message has \(values.count) <value> element(s)")
                }
                parts.append(.value(number - 1))
            }
        }
    }
}

/// Why a message text cannot be used.
public struct MessageTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// `<decision>`: `<left>`, `<compare op type format>`, `<right>`.
public struct DecisionDefinition: Sendable, Hashable {
    /// Comparison operators.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case eq, ne, gt, ge, lt, le, regex, wildcard
    }

    /// What the two values are compared as.
    public enum ValueType: String, Sendable, Hashable, CaseIterable {
        case character, number, datetime
    }

    public var left: ValueDefinition
    public var op: Operator
    public var type: ValueType
    /// A date pattern (`yyyy-MM-dd HH:mm`) for `datetime` values; nil = ISO 8601 / RFC 3339.
    public var format: String?
    public var right: ValueDefinition

    public init(left: ValueDefinition, op: Operator, type: ValueType = .character, format: String? = nil,
                right: ValueDefinition) {
        self.left = left
        self.op = op
        self.type = type
        self.format = format
        self.right = right
    }
}

/// `<route on>` with `<when value next>` children and an optional `<default next>`.
public struct RouteDefinition: Sendable, Hashable {
    /// One `<when>`.
    public struct Case: Sendable, Hashable {
        public var value: String
        public var next: String
        public init(value: String, next: String) {
            self.value = value
            self.next = next
        }
    }

    /// What each document is routed by (`document:type`, `profile:/a/b`, `process:name`, `execution:id`).
    public var on: ValueSource
    public var cases: [Case]
    public var defaultNext: String?

    public init(on: ValueSource, cases: [Case], defaultNext: String? = nil) {
        self.on = on
        self.cases = cases
        self.defaultNext = defaultNext
    }
}

/// `<split by path>`.
public struct SplitDefinition: Sendable, Hashable {
    /// `json-array`, `json-lines`, `csv-rows` or `xml-element`.
    public var by: String
    public var path: String?

    public init(by: String, path: String? = nil) {
        self.by = by
        self.path = path
    }
}

/// `<tryCatch next onError retries>`.
public struct TryCatchDefinition: Sendable, Hashable {
    public var next: String
    public var onError: String
    /// How many times failed documents are sent again from `next` before going to `onError`.
    public var retries: Int

    public init(next: String, onError: String, retries: Int = 0) {
        self.next = next
        self.onError = onError
        self.retries = retries
    }
}

/// `<notify level message>`.
public struct NotifyDefinition: Sendable, Hashable {
    /// The level of the user log line.
    public enum Level: String, Sendable, Hashable, CaseIterable { case info, warning, error }

    public var level: Level
    /// The line, with `{name}`, `{process:name}`, `{execution:field}` placeholders.
    public var message: String

    public init(level: Level, message: String) {
        self.level = level
        self.message = message
    }
}

/// `<processCall process wait>`.
public struct ProcessCallDefinition: Sendable, Hashable {
    public var process: String
    public var wait: Bool

    public init(process: String, wait: Bool = true) {
        self.process = process
        self.wait = wait
    }
}

/// `<flowControl batchSize threads>`.
public struct FlowControlDefinition: Sendable, Hashable {
    public var batchSize: Int
    public var threads: Int

    public init(batchSize: Int, threads: Int = 1) {
        self.batchSize = batchSize
        self.threads = threads
    }
}
