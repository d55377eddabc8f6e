import ConveyorBase
import Foundation
import Testing

@Suite struct TrimmingTests {
    /// Every scalar Foundation counts as white space, and its neighbours, on either side of text.
    static let candidates: [Unicode.Scalar] = {
        var values: [UInt32] = Array(0x00...0x30) + [0x7F, 0x80, 0x84, 0x85, 0x86, 0x9F, 0xA0, 0xA1, 0x1680, 0x180E, 0x200B,
                                                     0x2027, 0x2028, 0x2029, 0x202A, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF]
        values += Array(0x1FFF...0x200C)
        return values.compactMap(Unicode.Scalar.init)
    }()

    @Test("trims exactly what trimmingCharacters(in:) trims", arguments: [TrimmedSpace.whitespaces, .whitespacesAndNewlines])
    func sameAsFoundation(space: TrimmedSpace) {
        let set: CharacterSet = space == .whitespaces ? .whitespaces : .whitespacesAndNewlines
        for scalar in Self.candidates {
            #expect(space.contains(scalar) == set.contains(scalar), "U+\(String(scalar.value, radix: 16))")
            for text in ["\(scalar)", "\(scalar)a\(scalar)", "a\(scalar)b", "\(scalar)\(scalar) x y \(scalar)", "é\(scalar)"] {
                #expect(text.trimming(space) == text.trimmingCharacters(in: set), "\(text.unicodeScalars.map(\.value))")
                let inner = ("[" + text + "]").dropFirst().dropLast()
                #expect(inner.trimming(space) == inner.trimmingCharacters(in: set))
            }
        }
    }

    @Test("agrees with Foundation on every scalar", arguments: [TrimmedSpace.whitespaces, .whitespacesAndNewlines])
    func everyScalar(space: TrimmedSpace) {
        let set: CharacterSet = space == .whitespaces ? .whitespaces : .whitespacesAndNewlines
        var differing: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if space.contains(scalar) != set.contains(scalar) { differing.append(value) }
        }
        #expect(differing.isEmpty, "\(differing.map { String($0, radix: 16) })")
    }

    @Test("trims scalar by scalar, as Foundation does, also where a character holds several")
    func combiningMarks() {
        // A space followed by a combining accent is one Character but two scalars: the space goes.
        let text = " \u{301}x \t\n"
        #expect(text.trimming(.whitespaces) == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimming(.whitespacesAndNewlines) == "\u{301}x")
        #expect("".trimming(.whitespaces) == "")
        #expect(" \t ".trimming(.whitespaces) == "")
        #expect("\n".trimming(.whitespaces) == "\n")
    }
}
