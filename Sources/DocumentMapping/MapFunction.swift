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
/// - `get-document-property`, `get-process-property`: attribute `property`.
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
    }

    /// The names accepted in `<function name>`.
    static let knownNames = ["uppercase", "lowercase", "trim", "concat", "add", "subtract", "multiply", "divide",
                             "round", "date-format", "current-date", "substring", "default", "coalesce",
                             "get-document-property", "get-process-property"]

    static let isoPattern = "yyyy-MM-dd'T'HH:mm:ssXXX"

    let name: String
    let body: Body
    let operands: [Operand]
    let location: SourceLocation

    /// Resolves a function call; `hasInput` tells whether a current value flows into it.
    init(_ call: MapFunctionCall, hasInput: Bool, mapID: String) throws(MappingError) {
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
        case "get-document-property", "get-process-property":
            guard let property = call.attributes["property"] else { throw fail("attribute 'property' is required") }
            body = call.name == "get-document-property" ? .documentProperty(property) : .processProperty(property)
        default:
            throw MappingError(mapID: mapID, location: call.location,
                               message: "unknown function '\(call.name)'; known functions: \(MapFunction.knownNames.joined(separator: ", "))",
                               kind: .definition)
        }
    }
}
