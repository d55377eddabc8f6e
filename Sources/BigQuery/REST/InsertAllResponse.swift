import DocumentMapping

/// Reads `insertErrors` of a `tabledata.insertAll` response.
enum InsertAllResponse {
    /// Row errors keyed by batch position. With `skipInvalidRows` off, BigQuery rejects the
    /// whole request when any row is invalid: the valid rows come back with reason `stopped`.
    static func rowErrors(_ body: [UInt8], positions: [Int], skipInvalidRows: Bool) -> [Int: String] {
        guard !body.isEmpty, let json = try? JSONParser.parse(body), case .object(let root) = json,
              case .array(let insertErrors)? = root["insertErrors"] else {
            return [:]
        }
        var result: [Int: String] = [:]
        for entry in insertErrors {
            guard case .object(let object) = entry, let indexText = object["index"]?.textValue,
                  let index = Int(indexText), positions.indices.contains(index) else { continue }
            var messages: [String] = []
            if case .array(let errors)? = object["errors"] {
                for error in errors {
                    guard case .object(let detail) = error else { continue }
                    let reason = detail["reason"]?.textValue ?? "invalid"
                    if reason == "stopped" {
                        messages.append("stopped: another row in the same request was invalid (skipInvalidRows is false)")
                        continue
                    }
                    var text = reason
                    if let location = detail["location"]?.textValue, !location.isEmpty { text += " at \(location)" }
                    if let message = detail["message"]?.textValue, !message.isEmpty { text += ": \(message)" }
                    messages.append(text)
                }
            }
            result[positions[index]] = "row rejected by BigQuery: " + (messages.isEmpty ? "invalid" : messages.joined(separator: "; "))
        }
        return result
    }
}
