import Foundation
import ProcessModel

/// A `<function>` of a map, resolved when the map is compiled.
///
/// Functions and their settings:
/// - `uppercase`, `lowercase`, `trim`: change the current text.
/// - `concat`: joins the current value (when there is one) and each `<arg from|value>`;
///   attribute `separator` (default none). Missing values are skipped.
/// - `add`, `subtract`, `multiply`, `divide`: decimal arithmetic over the current value (when there
///   is one) and the arguments, left to right; a missing operand gives no value. Results are exact
///   decimal literals (`19.99 × 3` is `59.97`).
/// - `round`: rounds the current number half away from zero to `scale` fraction digits (default 0).
/// - `date-format`: reads the current text in `inputFormat` (default `yyyy-MM-dd'T'HH:mm:ssXXX`)
///   and writes it in `outputFormat`, both Unicode/ICU (Java-style) date patterns such as
///   `yyyy-MM-dd'T'HH:mm:ssXXX` or `yyyy-MM-dd`; optional `timeZone` (default UTC) for output.
/// - `current-date`: the current time in `format` (default `yyyy-MM-dd'T'HH:mm:ssXXX`).
/// - `substring`: attributes `start` (zero-based, default 0) and `length` (default: to the end).
/// - `default` / `coalesce`: the first of the current value and the arguments that is present,
///   not null and not empty; `default` also takes attribute `value` as a last resort.
/// - `get-document-property`, `get-process-property`: attribute `property`; a property set
///   earlier in the same map is seen.
/// - `set-document-property`, `set-process-property`: attribute `property`; record the current
///   value (as text) in the ``MapResult`` and pass it on unchanged.
/// - `replace`: regular expression `pattern` (ICU syntax), `replacement` template (`$1` for a
///   group; default empty), every match replaced.
/// - `number-format`: `pattern` such as `#,##0.00` (see ``NumberPattern``) or `decimals`.
/// - `lookup`: `table` names a `<lookup>` of the map; the current text is the key; `default`
///   is used when the key is missing, otherwise a missing key fails.
/// - `sequence`: `start` (default 1) and `step` (default 1); each evaluation takes the next
///   value, counted across all documents the compiled map handles, in order.
/// - `count`, `sum`: over every value a `*` source path selects (the mapping's `from`, or
///   `<arg from>`); nulls are not counted.
struct MapFunction: Sendable {
    enum Operand: Sendable {
        case path(DocumentPath)
        case literal(String)
    }

    enum Operation: String, Sendable {
        case add, subtract, multiply, divide
    }

    enum Body: Sendable {
        case uppercase, lowercase, trim
        case concat(separator: String)
        case arithmetic(Operation)
        case round(scale: Int)
        case dateFormat(input: DatePattern, output: DatePattern)
        case currentDate(DatePattern)
        case substring(start: Int, length: Int?)
        case coalesce(fallback: String?)
        case documentProperty(String)
        case processProperty(String)
        case setDocumentProperty(String)
        case setProcessProperty(String)
        case replace(CompiledPattern, template: String)
        case numberFormat(NumberPattern)
        case lookup(table: String, entries: [String: String], fallback: String?)
        case sequence(slot: Int, start: Decimal, step: Decimal)
        case count, sum
    }

    /// The names accepted in `<function name>`.
    static let knownNames = MapFunctionSpec.all.map(\.name)

    /// Whether the function works on all values a `*` path selects.
    var aggregates: Bool {
        switch body {
        case .count, .sum: return true
        default: return false
        }
    }

    static let isoPattern = "yyyy-MM-dd'T'HH:mm:ssXXX"

    let name: String
    let body: Body
    let operands: [Operand]
    let location: SourceLocation

    /// Resolves a function call; `hasInput` tells whether a current value flows into it.
    init(_ call: MapFunctionCall, hasInput: Bool, mapID: String, lookups: [String: MapLookup] = [:],
         sequenceSlots: inout Int) throws(MappingError) {
        func fail(_ message: String) -> MappingError {
            MappingError(mapID: mapID, location: call.location, message: "function '\(call.name)': \(message)",
                         kind: .definition)
        }
        func integer(_ attribute: String) throws(MappingError) -> Int? {
            guard let text = call.attributes[attribute] else { return nil }
            guard let value = Int(text), value >= 0 else { throw fail("\(attribute) must be a whole number ≥ 0, not '\(text)'") }
            return value
        }
        func pattern(_ attribute: String, default fallback: String?, timeZone: String? = nil) throws(MappingError) -> DatePattern {
            guard let text = call.attributes[attribute] ?? fallback else { throw fail("attribute '\(attribute)' is required") }
            guard let made = DatePattern(text, timeZone: timeZone) else { throw fail("unknown timeZone '\(timeZone ?? "")'") }
            return made
        }
        name = call.name
        location = call.location
        var operands: [Operand] = []
        for argument in call.arguments {
            switch argument {
            case .literal(let text): operands.append(.literal(text))
            case .path(let text):
                do throws(PathError) {
                    operands.append(.path(try DocumentPath(text)))
                } catch {
                    throw fail("\(error)")
                }
            }
        }
        self.operands = operands
        switch call.name {
        case "uppercase": body = .uppercase
        case "lowercase": body = .lowercase
        case "trim": body = .trim
        case "concat": body = .concat(separator: call.attributes["separator"] ?? "")
        case "add", "subtract", "multiply", "divide":
            guard let operation = Operation(rawValue: call.name) else { throw fail("unknown operation") }
            if operands.count + (hasInput ? 1 : 0) < 2 {
                throw fail("needs two operands: the mapped value and an <arg>, or two <arg>s")
            }
            body = .arithmetic(operation)
        case "round": body = .round(scale: try integer("scale") ?? 0)
        case "date-format":
            body = .dateFormat(input: try pattern("inputFormat", default: MapFunction.isoPattern),
                               output: try pattern("outputFormat", default: nil, timeZone: call.attributes["timeZone"]))
        case "current-date":
            body = .currentDate(try pattern("format", default: MapFunction.isoPattern, timeZone: call.attributes["timeZone"]))
        case "substring": body = .substring(start: try integer("start") ?? 0, length: try integer("length"))
        case "default", "coalesce": body = .coalesce(fallback: call.attributes["value"])
        case "get-document-property", "get-process-property", "set-document-property", "set-process-property":
            guard let property = call.attributes["property"], !property.isEmpty else {
                throw fail("attribute 'property' is required")
            }
            switch call.name {
            case "get-document-property": body = .documentProperty(property)
            case "get-process-property": body = .processProperty(property)
            case "set-document-property": body = .setDocumentProperty(property)
            default: body = .setProcessProperty(property)
            }
        case "replace":
            guard let pattern = call.attributes["pattern"] else { throw fail("attribute 'pattern' is required") }
            do {
                body = .replace(CompiledPattern(try NSRegularExpression(pattern: pattern)), template: call.attributes["replacement"] ?? "")
            } catch {
                throw fail("pattern '\(pattern)' is not a valid regular expression")
            }
        case "number-format":
            if let text = call.attributes["pattern"] {
                guard let pattern = NumberPattern(text) else {
                    throw fail("pattern '\(text)' is not a number pattern such as #,##0.00")
                }
                body = .numberFormat(pattern)
            } else if let decimals = try integer("decimals") {
                body = .numberFormat(NumberPattern(decimals: decimals))
            } else {
                throw fail("attribute 'pattern' or 'decimals' is required")
            }
        case "lookup":
            guard let table = call.attributes["table"] else { throw fail("attribute 'table' is required") }
            guard let lookup = lookups[table] else { throw fail("lookup table '\(table)' is not defined in the map") }
            body = .lookup(table: table, entries: lookup.entries, fallback: call.attributes["default"])
        case "sequence":
            func decimal(_ attribute: String) throws(MappingError) -> Decimal {
                guard let text = call.attributes[attribute] else { return 1 }
                guard let literal = NumberText.normalized(text),
                      let value = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw fail("\(attribute) must be a number, not '\(text)'")
                }
                return value
            }
            body = .sequence(slot: sequenceSlots, start: try decimal("start"), step: try decimal("step"))
            sequenceSlots += 1
        case "count": body = .count
        case "sum": body = .sum
        default:
            throw MappingError(mapID: mapID, location: call.location,
                               message: "unknown function '\(call.name)'; known functions: \(MapFunction.knownNames.joined(separator: ", "))",
                               kind: .definition)
        }
    }
}

/// A compiled regular expression; `NSRegularExpression` is immutable and safe to use from any thread.
struct CompiledPattern: @unchecked Sendable {
    let expression: NSRegularExpression

    init(_ expression: NSRegularExpression) {
        self.expression = expression
    }

    /// `text` with every match replaced by `template`.
    func replace(in text: String, with template: String) -> String {
        expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}
