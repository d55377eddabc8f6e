/// How one document fared in a connector shape.
public enum DocumentStatus: String, Sendable, Codable {
    /// The connector handled the document.
    case success
    /// The connector failed on the document.
    case error
    /// The remote application returned an error for the document.
    case applicationError = "application_error"
    /// The connector could not deliver the document and kept it in its dead-letter queue; the
    /// record's error is the reason.
    case deadLettered = "dead-lettered"
}
