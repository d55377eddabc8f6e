/// Finds where each start tag of a well-formed document begins, in document order.
///
/// libxml2 records the line where a start tag *ends*; users expect the line and column of
/// its `<`. Comments, CDATA sections, processing instructions and declarations are skipped,
/// so the n-th position found belongs to the n-th element of the parsed tree.
struct StartTagScanner {
    /// A one-based line and column (columns count characters, not bytes).
    struct Position: Sendable, Hashable {
        var line: Int
        var column: Int
    }

    /// Start-tag positions in document order.
    private(set) var startTags: [Position] = []
    /// Position of a `<!DOCTYPE` declaration, if any.
    private(set) var doctype: Position?

    init(bytes: [UInt8]) {
        scan(bytes)
    }

    private mutating func scan(_ bytes: [UInt8]) {
        var index = 0
        var line = 1
        var column = 1
        let count = bytes.count

        func matches(_ literal: String, at offset: Int) -> Bool {
            var position = offset
            for byte in literal.utf8 {
                guard position < count, bytes[position] == byte else { return false }
                position += 1
            }
            return true
        }

        // Moves forward one byte, keeping line and column up to date.
        func advance() {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }

        func skip(past terminator: String) {
            while index < count, !matches(terminator, at: index) { advance() }
            for _ in terminator.utf8 where index < count { advance() }
        }

        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else {
                advance()
                continue
            }
            let here = Position(line: line, column: column)
            if matches("<!--", at: index) {
                skip(past: "-->")
            } else if matches("<![CDATA[", at: index) {
                skip(past: "]]>")
            } else if matches("<?", at: index) {
                skip(past: "?>")
            } else if matches("<!", at: index) {
                if matches("<!DOCTYPE", at: index), doctype == nil { doctype = here }
                skip(past: ">")
            } else if matches("</", at: index) {
                skip(past: ">")
            } else {
                startTags.append(here)
                advance()
            }
        }
    }
}
