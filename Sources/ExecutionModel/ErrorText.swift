/// Error messages as the execution records keep them.
///
/// A message may quote what a far end or a document sent (a 20 MB cell that is not an INT64), and
/// an execution repeats a document's message in several records (the execution's error, the
/// document's trace, a captured copy): past ``maximumLength`` characters the message is cut, and
/// says how long it was.
public enum ErrorText {
    /// The longest message kept whole, in characters.
    public static let maximumLength = 4_000

    /// `message`, or its first ``maximumLength`` characters and a note of its length.
    public static func bounded(_ message: String) -> String {
        // Cheap check first: a message of at most this many UTF-8 bytes has at most as many characters.
        if message.utf8.count <= maximumLength { return message }
        guard message.count > maximumLength else { return message }
        return message.prefix(maximumLength) + " … (cut: the message was \(message.utf8.count) bytes)"
    }
}
