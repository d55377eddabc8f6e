import ConveyorBase
import Testing

@Suite struct PrintableTextTests {
    @Test("control characters become \\u{…}; every other character, non-ASCII included, stays")
    func escapesControlsOnly() {
        #expect(PrintableText.escapingControls("plain text, é, 日本, 🙂") == "plain text, é, 日本, 🙂")
        #expect(PrintableText.escapingControls("a\nb\r\tc\u{0}d\u{1B}[2J\u{7F}\u{85}\u{9B}31m\u{A0}")
                == #"a\u{a}b\u{d}\u{9}c\u{0}d\u{1b}[2J\u{7f}\u{85}\u{9b}31m"# + "\u{A0}")
        #expect(PrintableText.escapingControls("") == "")
    }

    @Test("a message of several lines keeps its line breaks and loses every other control")
    func keepingLineBreaks() {
        #expect(PrintableText.escapingControls("Error: no process 'x\u{1B}[2J'\nUsage: a\tb\r\u{9B}", keepingLineBreaks: true)
                == "Error: no process 'x\\u{1b}[2J'\nUsage: a\\u{9}b\\u{d}\\u{9b}")
        #expect(PrintableText.escapingControls("one\ntwo", keepingLineBreaks: true) == "one\ntwo")
        #expect(PrintableText.escapingControls("one\ntwo") == #"one\u{a}two"#)
    }

    @Test("no scalar from 0 to 0x10FFFF that is a control survives, and none that is not is touched")
    func everyScalar() {
        var controls = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            let shown = PrintableText.escapingControls(text)
            if scalar.properties.generalCategory == .control {
                controls += 1
                #expect(shown == "\\u{" + String(value, radix: 16) + "}")
            } else if shown != text {
                Issue.record("U+\(String(value, radix: 16)) was changed to \(shown)")
            }
        }
        #expect(controls == 65)
    }
}
