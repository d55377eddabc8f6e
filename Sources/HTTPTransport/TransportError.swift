/// A request that got no HTTP response: the connection, TLS handshake or transfer failed.
///
/// Carries the libcurl result code and message, the method and the URL without its query.
/// ``isRetryable`` tells whether sending the same request again may succeed
/// (connect failures, timeouts, resets, truncated bodies).
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// The libcurl result code (`CURLcode`), such as 7 (could not connect) or 28 (timed out).
    public var curlCode: Int
    /// libcurl's fixed text for ``curlCode``, such as "Timeout was reached".
    public var curlMessage: String
    /// libcurl's detailed message for this transfer, such as "Connection timed out after 1001 milliseconds"; may be empty.
    public var detail: String
    /// The request method.
    public var method: String
    /// The request URL without query or fragment.
    public var url: String
    /// Why the request was not retried although the failure is transient (see ``OutageCircuit``); may be empty.
    public var note = ""

    /// Creates an error; `url` is stripped of its query and fragment.
    public init(curlCode: Int, curlMessage: String, detail: String = "", method: String, url: String) {
        self.curlCode = curlCode
        self.curlMessage = curlMessage
        self.detail = detail
        self.method = method
        self.url = HTTPRequest(url: url).redactedURL
    }

    /// Whether the same request may succeed if sent again.
    public var isRetryable: Bool {
        Self.retryableCodes.contains(curlCode)
    }

    /// Whether the connect or request time limit was reached.
    public var isTimeout: Bool {
        curlCode == Self.operationTimedOut
    }

    /// Whether the server's TLS certificate or name could not be verified.
    public var isCertificateProblem: Bool {
        curlCode == 60 || curlCode == 51 || curlCode == 58 || curlCode == 77
    }

    /// `METHOD URL failed: curl error CODE (message): detail`, stable for logs and tests.
    public var description: String {
        var text = "\(method) \(url) failed: curl error \(curlCode) (\(curlMessage))"
        if !detail.isEmpty, detail != curlMessage {
            text += ": \(detail)"
        }
        if !note.isEmpty {
            text += "; \(note)"
        }
        return text
    }

    static let operationTimedOut = 28

    /// Codes for failures that are plausibly transient:
    /// 5/6 resolve proxy/host, 7 connect, 16 HTTP/2 framing, 18 partial body, 28 timeout,
    /// 35 TLS handshake interrupted, 52 empty reply, 55 send, 56 receive, 92 HTTP/2 stream reset.
    static let retryableCodes: Set<Int> = [5, 6, 7, 16, 18, 28, 35, 52, 55, 56, 92]
}
