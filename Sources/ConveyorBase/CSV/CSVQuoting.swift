/// The quote state machine of CSV (RFC 4180), fed one byte at a time so that it can read a
/// whole text or a file block by block: what each byte is (field text, quote syntax, the end of
/// a field or of a line) given the bytes before it.
///
/// A quoted field may hold delimiters, line breaks and doubled quotes. By default a quote opens
/// a quoted field only at the start of a field (elsewhere it is text), and text after a closing
/// quote is reported. ``Mode/quotesOpenAnywhere`` makes every quote outside a quoted field open
/// one, which finds record boundaries without knowing the delimiter.
public struct CSVQuoting: Sendable {
    /// Where the machine stands.
    public enum State: UInt8, Sendable {
        /// At the start of a field: nothing read since the last delimiter or line break.
        case fieldStart
        /// Inside a field that is not quoted.
        case unquoted
        /// Inside a quoted field.
        case quoted
        /// Just after a quote inside a quoted field: either the field ends or a second quote
        /// follows (a doubled, literal quote).
        case afterQuote
    }

    /// What a byte is.
    public enum Action: UInt8, Sendable {
        /// Text of the field.
        case text
        /// A carriage return outside quotes: text, unless a line feed follows (then it belongs to
        /// the line break).
        case carriageReturn
        /// The quote that opens a quoted field (not text).
        case openQuote
        /// A quote inside a quoted field: it closes it, or escapes a second one (not text).
        case closeQuote
        /// The second quote of a doubled quote: text (one quote).
        case escapedQuote
        /// A delimiter outside quotes.
        case endField
        /// A line feed outside quotes.
        case endLine
        /// A byte other than a delimiter or line break right after a closing quote; the machine
        /// goes on as if it were text of an unquoted field.
        case textAfterQuote
    }

    /// Where a quote may open a quoted field.
    public enum Mode: UInt8, Sendable {
        case quotesOpenAtFieldStart
        case quotesOpenAnywhere
    }

    public let delimiter: UInt8
    public let quote: UInt8
    public let mode: Mode
    public var state: State = .fieldStart

    public init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\""),
                mode: Mode = .quotesOpenAtFieldStart) {
        self.delimiter = delimiter
        self.quote = quote
        self.mode = mode
    }

    /// True inside a quoted field (a text that ends here leaves the field unclosed).
    @inlinable
    public var isInQuotes: Bool { state == .quoted }

    /// Reads one byte.
    @inlinable @inline(__always)
    public mutating func step(_ byte: UInt8) -> Action {
        switch state {
        case .quoted:
            if byte == quote {
                state = .afterQuote
                return .closeQuote
            }
            return .text
        case .fieldStart, .unquoted:
            if byte == quote, state == .fieldStart || mode == .quotesOpenAnywhere {
                state = .quoted
                return .openQuote
            }
            return outside(byte)
        case .afterQuote:
            if byte == quote {
                state = .quoted
                return .escapedQuote
            }
            if byte == delimiter || byte == 0x0A || byte == 0x0D || mode == .quotesOpenAnywhere {
                return outside(byte)
            }
            state = .unquoted
            return .textAfterQuote
        }
    }

    /// A byte outside quotes.
    @inlinable @inline(__always)
    mutating func outside(_ byte: UInt8) -> Action {
        if byte == 0x0A {
            state = .fieldStart
            return .endLine
        }
        if byte == delimiter {
            state = .fieldStart
            return .endField
        }
        state = .unquoted
        return byte == 0x0D ? .carriageReturn : .text
    }
}
