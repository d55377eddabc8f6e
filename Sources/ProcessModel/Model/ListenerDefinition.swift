/// `<listener path method>` in a start shape: the process runs for each HTTP request to `path`.
///
/// The start shape behaves as `<input/>`: the request body is the one input document.
public struct ListenerDefinition: Sendable, Hashable {
    /// The HTTP methods a listener may use.
    public static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    /// The request path, starting with `/` (such as `/orders`).
    public var path: String
    /// The HTTP method, upper case (`POST` unless the file says otherwise).
    public var method: String
    public var location: SourceLocation

    /// Creates a listener definition.
    public init(path: String, method: String = "POST", location: SourceLocation) {
        self.path = path
        self.method = method
        self.location = location
    }
}
