/// One way a document does not match its profile, e.g. `/qty: expected INT64, found "abc"`.
public struct ProfileViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the document, with concrete array indices (`/items/2/sku`); `/` for the whole document.
    public var path: String
    /// What is wrong there.
    public var message: String

    /// Creates a violation.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
