/// White space to trim from text, as Foundation's character sets of the same names define it.
public enum TrimmedSpace: Sendable {
    /// Spaces (Unicode category Zs), the tab and the zero-width space: `CharacterSet.whitespaces`.
    case whitespaces
    /// Those and line breaks (U+000A–U+000D, U+0085, U+2028, U+2029): `CharacterSet.whitespacesAndNewlines`,
    /// which is Unicode's White_Space property and U+200B.
    case whitespacesAndNewlines

    /// Whether `scalar` is trimmed.
    @inlinable
    public func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x200B: return true
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return self == .whitespacesAndNewlines
        case 0x00...0x7F: return false
        default: return scalar.properties.isWhitespace
        }
    }
}

extension StringProtocol {
    /// The text without the leading and trailing `space`, scalar by scalar, as
    /// `trimmingCharacters(in:)` gives it: written here because Foundation's goes through `NSString`
    /// (its first use costs a command more than a million instructions, each later one thousands).
    public func trimming(_ space: TrimmedSpace) -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !space.contains($0) }),
              let last = scalars.lastIndex(where: { !space.contains($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
