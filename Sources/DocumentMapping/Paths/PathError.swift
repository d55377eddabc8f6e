/// Why a path's text is not a valid path, e.g. `invalid path 'order/id': a path starts with '/'`.
public struct PathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was given.
    public var text: String
    /// What is wrong with it.
    public var message: String

    /// Creates an error for `text`.
    public init(text: String, message: String) {
        self.text = text
        self.message = message
    }

    public var description: String { "invalid path '\(text)': \(message)" }
}
