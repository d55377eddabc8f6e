import DocumentMapping

/// An error answered by the BigQuery API: HTTP status, BigQuery `reason` and message.
public struct BigQueryAPIError: Error, Sendable, CustomStringConvertible {
    /// What Conveyor was doing, e.g. `insertAll demo.sales.orders`.
    public var operation: String
    public var status: Int
    public var reason: String?
    public var message: String

    public var description: String {
        "BigQuery \(operation): HTTP \(status)\(reason.map { " \($0)" } ?? ""): \(message)"
    }

    /// Decodes a Google API error body (`{"error": {"code", "message", "errors": [{"reason"}]}}`).
    static func decode(operation: String, status: Int, body: [UInt8]) -> BigQueryAPIError {
        guard let json = try? JSONParser.parse(body), case .object(let root) = json,
              case .object(let error)? = root["error"] else {
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            return BigQueryAPIError(operation: operation, status: status, reason: nil,
                                    message: text.isEmpty ? "no response body" : text)
        }
        var reason: String?
        if case .array(let errors)? = error["errors"], case .object(let first)? = errors.first {
            reason = first["reason"]?.textValue
        }
        if reason == nil { reason = error["status"]?.textValue }
        return BigQueryAPIError(operation: operation, status: status, reason: reason,
                                message: error["message"]?.textValue ?? "no message")
    }

    /// The error as a JSON object, for application-error documents.
    var json: JSONValue {
        var object = JSONObject()
        object["status"] = .number(String(status))
        if let reason { object["reason"] = .string(reason) }
        object["message"] = .string(message)
        return .object(object)
    }
}
