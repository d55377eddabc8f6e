import ArgumentParser
import ConveyorBase
import ExecutionStore
import Foundation

/// Prints the captured contents of one document (`conveyor executions show ID --document N`).
enum DocumentContentReport {
    /// Prints `contents` (of document `document` of execution `execution`): per shape and
    /// direction, the status, size, whether it was cut, the properties and the content (JSON
    /// pretty-printed); with `raw`, the exact bytes of the one content; with `json`, a JSON array.
    static func print(_ contents: [DocumentContentRecord], execution: String, document: Int,
                      raw: Bool, json: Bool) throws {
        guard !contents.isEmpty else {
            Terminal.error("error: execution \(execution) kept no content of document \(document) "
                + "(the process's captureDocuments keeps failed documents by default, all with \"all\", "
                + "none with \"none\"; contents go with their execution when retention removes it)")
            throw ExitCode(1)
        }
        if raw {
            guard contents.count == 1, let only = contents.first else {
                let found = contents.map { "\($0.shapeID) \($0.direction)" }.joined(separator: ", ")
                Terminal.error("error: document \(document) has \(contents.count) contents (\(found)); "
                    + "choose one with --shape and --direction")
                throw ExitCode(1)
            }
            FileHandle.standardOutput.write(Data(only.content))
            return
        }
        if json {
            Terminal.line(self.json(contents))
            return
        }
        for content in contents {
            var head = "document #\(content.index) at \(content.shapeID) (\(content.direction)): \(content.status.rawValue)"
            head += ", \(content.size) bytes"
            if content.cut { head += ", cut to the first \(content.content.count) bytes (captureLimit)" }
            Terminal.line(head)
            if let error = content.error {
                Terminal.line("  error: " + PrintableText.escapingControls(error) + (content.errorCode.map { " [\($0)]" } ?? ""))
            }
            if !content.properties.isEmpty {
                Terminal.line("  properties:")
                for (name, value) in content.properties.sorted(by: { $0.key < $1.key }) {
                    Terminal.line(PrintableText.escapingControls("    \(name) = \(value)"))
                }
            }
            Terminal.line("  content (\(ContentSniffer.mediaType(of: content.content, cut: content.cut))):")
            Terminal.line(readable(content))
            if content.cut { Terminal.line("  … (cut: \(content.size - content.content.count) more bytes not kept)") }
        }
    }

    /// The content as text: JSON pretty-printed, other UTF-8 as it is, other bytes as hexadecimal.
    static func readable(_ content: DocumentContentRecord) -> String {
        if !content.cut, ContentSniffer.isJSON(content.content) {
            return ContentSniffer.prettyJSON(content.content)
        }
        // A cut may split a character at the end: the text is shown up to it.
        for dropped in 0...(content.cut ? 3 : 0) {
            if let text = String(validating: content.content.dropLast(dropped), as: UTF8.self) { return text }
        }
        return content.content.map { String(format: "%02x", $0) }.joined(separator: " ")
    }

    /// The contents as a JSON array (content as UTF-8 text, or base64 when it is not text).
    static func json(_ contents: [DocumentContentRecord]) -> String {
        let objects: [[String: Any]] = contents.map { content in
            var object: [String: Any] = [
                "index": content.index, "shape": content.shapeID, "direction": content.direction,
                "status": content.status.rawValue, "size": content.size, "cut": content.cut,
                "properties": content.properties,
            ]
            if let text = String(validating: content.content, as: UTF8.self) {
                object["content"] = text
            } else {
                object["contentBase64"] = Data(content.content).base64EncodedString()
            }
            if let error = content.error { object["error"] = error }
            if let code = content.errorCode { object["errorCode"] = code }
            return object
        }
        guard let data = try? JSONSerialization.data(withJSONObject: objects,
                                                     options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}
