import ConveyorBase
import Testing

@Suite struct CSVQuotingTests {
    private func actions(_ text: String, _ quoting: CSVQuoting = CSVQuoting()) -> [CSVQuoting.Action] {
        var machine = quoting
        return text.utf8.map { machine.step($0) }
    }

    /// The fields and records a machine reads from `text` (quote syntax dropped).
    private func records(_ text: String, _ quoting: CSVQuoting = CSVQuoting()) -> [[String]] {
        var machine = quoting
        var records: [[String]] = []
        var fields: [String] = []
        var field: [UInt8] = []
        for byte in text.utf8 {
            switch machine.step(byte) {
            case .text, .escapedQuote, .carriageReturn, .textAfterQuote: field.append(byte)
            case .openQuote, .closeQuote: break
            case .endField: fields.append(String(decoding: field, as: UTF8.self)); field = []
            case .endLine:
                if field.last == 0x0D { field.removeLast() }
                fields.append(String(decoding: field, as: UTF8.self)); field = []
                records.append(fields); fields = []
            }
        }
        if !field.isEmpty || !fields.isEmpty { records.append(fields + [String(decoding: field, as: UTF8.self)]) }
        return records
    }

    @Test func quotedFieldsHoldDelimitersLineBreaksAndDoubledQuotes() {
        #expect(records("a,\"b,c\"\n\"say \"\"hi\"\"\",\"x\ny\"\n") == [["a", "b,c"], ["say \"hi\"", "x\ny"]])
        #expect(records("\"\",\"\"\"\"\n") == [["", "\""]])
        #expect(actions("\"a\"\"\"") == [.openQuote, .text, .closeQuote, .escapedQuote, .closeQuote])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsText() {
        #expect(records("5\" screen,x\n2,y\n") == [["5\" screen", "x"], ["2", "y"]])
        #expect(actions("a\"") == [.text, .text])
    }

    @Test func textAfterAClosingQuoteIsReported() {
        #expect(actions("\"a\"b") == [.openQuote, .text, .closeQuote, .textAfterQuote])
        #expect(actions("\"a\"\r\n") == [.openQuote, .text, .closeQuote, .carriageReturn, .endLine])
    }

    @Test func carriageReturnsAreMarkedAndLineFeedsEndLinesOnlyOutsideQuotes() {
        #expect(actions("a\r\n") == [.text, .carriageReturn, .endLine])
        #expect(actions("\"\r\n\"") == [.openQuote, .text, .text, .closeQuote])
        var machine = CSVQuoting()
        _ = machine.step(UInt8(ascii: "\""))
        #expect(machine.isInQuotes)
    }

    @Test func theDelimiterAndQuoteAreChosen() {
        let quoting = CSVQuoting(delimiter: UInt8(ascii: ";"), quote: UInt8(ascii: "'"))
        #expect(records("'a;b';\"c\"\n", quoting) == [["a;b", "\"c\""]])
    }

    /// Without knowing the delimiter, every quote outside a quoted field opens one, so a record
    /// boundary is found the same for any delimiter.
    @Test func quotesOpenAnywhereTogglesOnEveryQuote() {
        let anywhere = CSVQuoting(mode: .quotesOpenAnywhere)
        #expect(actions("a;\"b\nc\"\n", anywhere)
            == [.text, .text, .openQuote, .text, .text, .text, .closeQuote, .endLine])
        #expect(actions("\"a\"b\n", anywhere) == [.openQuote, .text, .closeQuote, .text, .endLine])
        var machine = anywhere
        for byte in "x\"\"\"".utf8 { _ = machine.step(byte) }
        #expect(machine.isInQuotes)
    }
}
