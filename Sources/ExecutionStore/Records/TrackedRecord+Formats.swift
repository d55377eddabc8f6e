import Foundation

/// Export formats: CSV (RFC 4180) and JSON Lines.
extension TrackedRecord {
    /// The CSV header line (with its CRLF).
    public static let csvHeader = "sequence,execution_id,process_id,shape_id,direction,document_index,status,"
        + "field,value,cut,recorded_at,chain_hash\r\n"

    /// The record as one CSV line ending in CRLF; fields holding a comma, quote, CR or LF are quoted,
    /// quotes inside doubled (RFC 4180).
    public var csvLine: String {
        [String(sequence), executionID, processID, shapeID, direction, String(documentIndex), status, field, value,
         cut ? "true" : "false", recordedAt, chainHash].map(Self.csvField).joined(separator: ",") + "\r\n"
    }

    /// The record as one JSON object followed by a newline.
    public var jsonLine: String {
        "{\"sequence\":\(sequence),\"executionId\":\(Self.json(executionID)),\"processId\":\(Self.json(processID)),"
            + "\"shapeId\":\(Self.json(shapeID)),\"direction\":\(Self.json(direction)),"
            + "\"documentIndex\":\(documentIndex),\"status\":\(Self.json(status)),\"field\":\(Self.json(field)),"
            + "\"value\":\(Self.json(value)),\"cut\":\(cut),\"recordedAt\":\(Self.json(recordedAt)),"
            + "\"chainHash\":\(Self.json(chainHash))}\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
