/// Why a JSON text could not be parsed, and where.
///
/// `description` reads `expected ',' or '}' at line 1, column 17`. Lines and
/// columns are one-based; columns count bytes of the UTF-8 text.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Zero-based byte offset of the problem in the input.
    public var offset: Int
    /// One-based line of the problem.
    public var line: Int
    /// One-based column (in bytes) of the problem.
    public var column: Int
    /// What was wrong, e.g. `expected ',' or '}'`.
    public var message: String

    /// Creates an error at an explicit position.
    public init(offset: Int, line: Int, column: Int, message: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    /// Creates an error at `offset` in `bytes`, computing its line and column.
    init(_ message: String, offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        var index = 0
        while index < end {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        self.init(offset: offset, line: line, column: offset - lineStart + 1, message: message)
    }

    public var description: String { "\(message) at line \(line), column \(column)" }
}
