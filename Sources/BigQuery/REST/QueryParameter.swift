import ConveyorBase
import DocumentMapping
import Foundation
import ProcessEngine
import ProcessModel

/// A named query parameter (`<parameter name="x" type="INT64"><value …/></parameter>`): its value
/// is evaluated per document and sent as `queryParameters`, never spliced into the SQL text.
struct QueryParameter: Sendable {
    /// A GoogleSQL parameter type: a scalar or `ARRAY<scalar>`.
    enum ParameterType: Sendable, Equatable {
        case scalar(String)
        case array(String)

        static let scalars: Set<String> = ["INT64", "STRING", "NUMERIC", "BIGNUMERIC", "BOOL", "FLOAT64", "DATE",
                                           "DATETIME", "TIME", "TIMESTAMP", "BYTES", "GEOGRAPHY", "JSON", "INTERVAL"]
        static let aliases = ["INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "DECIMAL": "NUMERIC",
                              "BIGDECIMAL": "BIGNUMERIC"]

        /// Reads `INT64`, `string`, `ARRAY<DATE>`…; nil for an unknown type.
        init?(_ text: String) {
            let upper = text.trimming(.whitespaces).uppercased().replacingOccurrences(of: " ", with: "")
            func scalar(_ name: String) -> String? {
                let resolved = Self.aliases[name] ?? name
                return Self.scalars.contains(resolved) ? resolved : nil
            }
            if upper.hasPrefix("ARRAY<"), upper.hasSuffix(">") {
                guard let element = scalar(String(upper.dropFirst(6).dropLast())) else { return nil }
                self = .array(element)
            } else {
                guard let name = scalar(upper) else { return nil }
                self = .scalar(name)
            }
        }

        var json: JSONValue {
            switch self {
            case .scalar(let name): return ["type": .string(name)]
            case .array(let name): return ["type": "ARRAY", "arrayType": ["type": .string(name)]]
            }
        }
    }

    var name: String
    var type: ParameterType
    var value: ValueDefinition

    /// The `queryParameters` entry for one document. An empty value is NULL (an empty array for
    /// arrays; the empty string for STRING); an array value is split at commas.
    func json(for document: inout Document, context: OperationContext) throws(DocumentError) -> JSONValue {
        let text = try context.evaluate(value, for: &document)
        let parameterValue: JSONValue
        switch type {
        case .scalar(let scalar):
            parameterValue = ["value": try Self.checked(text, as: scalar, parameter: name)]
        case .array(let scalar):
            let items = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false)
            var values: [JSONValue] = []
            for item in items {
                values.append(["value": try Self.checked(String(item), as: scalar, parameter: name)])
            }
            parameterValue = ["arrayValues": .array(values)]
        }
        return ["name": .string(name), "parameterType": type.json, "parameterValue": parameterValue]
    }

    /// The value as BigQuery expects it for `type`, or an error naming the parameter.
    static func checked(_ text: String, as type: String, parameter: String) throws(DocumentError) -> JSONValue {
        if type == "STRING" { return .string(text) }
        let trimmed = text.trimming(.whitespaces)
        if trimmed.isEmpty { return .null }
        let valid: Bool
        var normalized = trimmed
        switch type {
        case "INT64": valid = Int64(trimmed) != nil
        case "FLOAT64": valid = Double(trimmed) != nil || ["NaN", "Infinity", "-Infinity"].contains(trimmed)
        case "BOOL":
            normalized = trimmed.lowercased()
            valid = normalized == "true" || normalized == "false"
        case "NUMERIC", "BIGNUMERIC": valid = trimmed.wholeMatch(of: /[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/) != nil
        case "DATE": valid = trimmed.wholeMatch(of: /\d{4}-\d{1,2}-\d{1,2}/) != nil
        default: valid = true
        }
        guard valid else {
            throw DocumentError("query parameter '\(parameter)': '\(text)' is not a valid \(type)", code: .value)
        }
        return .string(normalized)
    }
}
