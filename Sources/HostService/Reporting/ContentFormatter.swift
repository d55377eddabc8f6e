import ConveyorBase
import ExecutionStore
import Foundation

/// A captured document content as readable text for the document page: JSON and simple XML
/// laid out on indented lines, other UTF-8 text as it is, other bytes as hexadecimal.
enum ContentFormatter {
    /// The most characters of text shown on the page; the raw download has the whole content.
    static let displayLimit = 512 * 1024

    /// The text shown and what it is (`JSON`, `XML`, `text`, `bytes (hexadecimal)`).
    static func readable(_ content: [UInt8], cut: Bool) -> (text: String, format: String) {
        if !cut, ContentSniffer.isJSON(content) {
            return (ContentSniffer.prettyJSON(content), "JSON, indented")
        }
        // A cut may split a character at the end: the text is shown up to it.
        for dropped in 0...(cut ? 3 : 0) {
            guard let text = String(validating: content.dropLast(dropped), as: UTF8.self) else { continue }
            if !cut, text.first(where: { !$0.isWhitespace }) == "<", let indented = indentedXML(text) {
                return (indented, "XML, indented")
            }
            return (text, "text")
        }
        return (content.prefix(displayLimit / 3).map { String(format: "%02x", $0) }.joined(separator: " "),
                "bytes (hexadecimal), not UTF-8 text")
    }

    /// Simple XML (elements, attributes, text, comments, processing instructions) one element
    /// per line, indented by two spaces, an element holding only text kept on one line; nil for
    /// anything else (DTDs, CDATA, mixed content, unbalanced tags), which is shown as it is.
    static func indentedXML(_ xml: String) -> String? {
        enum Token { case open(String, String), close(String), empty(String), other(String), text(String) }
        var tokens: [Token] = []
        let characters = Array(xml)
        var position = 0
        while position < characters.count {
            if characters[position] != "<" {
                let start = position
                while position < characters.count, characters[position] != "<" { position += 1 }
                let text = String(characters[start..<position]).trimming(.whitespacesAndNewlines)
                if !text.isEmpty { tokens.append(.text(text)) }
                continue
            }
            // A tag: up to the `>` outside quotes.
            let start = position
            var quote: Character?
            position += 1
            while position < characters.count {
                let character = characters[position]
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    quote = character
                } else if character == ">" {
                    break
                }
                position += 1
            }
            guard position < characters.count else { return nil }
            position += 1
            let tag = String(characters[start..<position])
            if tag.hasPrefix("<!--") {
                guard tag.hasSuffix("-->") else { return nil }
                tokens.append(.other(tag))
            } else if tag.hasPrefix("<!") {
                return nil
            } else if tag.hasPrefix("<?") {
                tokens.append(.other(tag))
            } else if tag.hasPrefix("</") {
                tokens.append(.close(String(tag.dropFirst(2).dropLast()).trimming(.whitespaces)))
            } else if tag.hasSuffix("/>") {
                tokens.append(.empty(tag))
            } else {
                let name = tag.dropFirst().prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
                tokens.append(.open(String(name), tag))
            }
        }
        var lines: [String] = []
        var open: [String] = []
        var index = 0
        func indent() -> String { String(repeating: "  ", count: open.count) }
        while index < tokens.count {
            switch tokens[index] {
            case .open(let name, let tag):
                if index + 2 < tokens.count, case .text(let text) = tokens[index + 1],
                   case .close(let closing) = tokens[index + 2], closing == name {
                    lines.append(indent() + tag + text + "</\(name)>")
                    index += 3
                    continue
                }
                lines.append(indent() + tag)
                open.append(name)
            case .close(let name):
                guard open.last == name else { return nil }
                open.removeLast()
                lines.append(indent() + "</\(name)>")
            case .empty(let tag), .other(let tag):
                lines.append(indent() + tag)
            case .text:
                return nil
            }
            index += 1
        }
        return open.isEmpty ? lines.joined(separator: "\n") : nil
    }
}
