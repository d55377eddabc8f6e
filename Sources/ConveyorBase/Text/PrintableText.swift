/// Text about to be shown on a terminal or written to a log as one line.
public enum PrintableText {
    /// `text` with its control characters (C0, DEL and C1: line breaks, and the escapes a terminal
    /// acts on) written as `\u{…}`. Messages carry values of documents and answers of far ends: raw,
    /// a line break in one could forge the next line of a summary or a log, and an escape could
    /// clear or rewrite the terminal it is shown on.
    public static func escapingControls(_ text: String) -> String {
        escapingControls(text, keepingLineBreaks: false)
    }

    /// ``escapingControls(_:)``, with `\n` left as it is when `keepingLineBreaks`: for a message of
    /// several lines whose own line breaks are its layout (the values quoted in it escaped whole before).
    public static func escapingControls(_ text: String, keepingLineBreaks: Bool) -> String {
        let escaped = { (scalar: Unicode.Scalar) in isControl(scalar) && !(keepingLineBreaks && scalar == "\n") }
        guard text.unicodeScalars.contains(where: escaped) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if escaped(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
