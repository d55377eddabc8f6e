/// Keeps secret values out of what is recorded and printed: each value substituted for a
/// `${secret:…}` reference is replaced by `***`.
///
/// A quoted value is always replaced; an unquoted one when it has four characters or more
/// (so a one-letter secret does not garble every message).
struct SecretRedactor: Sendable {
    private let values: [String]

    /// A redactor for these secret values.
    init(_ secrets: Set<String>) {
        values = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// The text with every secret value replaced.
    func redact(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var result = text
        for value in values {
            result = result.replacing("'\(value)'", with: "'***'")
            if value.count >= 4 { result = result.replacing(value, with: "***") }
        }
        return result
    }

    /// The optional text with every secret value replaced.
    func redact(_ text: String?) -> String? { text.map { redact($0) } }
}
