internal import CCurl

/// Process-wide libcurl initialisation, performed exactly once.
enum CurlGlobal {
    /// The result of `curl_global_init`, run on first access (Swift globals initialise once, thread-safely).
    private static let initResult: Int = Int(conveyor_curl_global_init(conveyor_curl_global_default()).rawValue)

    /// Initialises libcurl if needed; returns the `CURLcode` of the one initialisation.
    static func ensureInitialized() -> Int {
        initResult
    }

    /// Why libcurl could not be loaded (it is loaded on the first request), or nil once it is.
    static var loadFailure: String? {
        guard let text = conveyor_curl_load_error(), text.pointee != 0 else { return nil }
        return String(cString: text)
    }

    /// libcurl's fixed text for a result code.
    static func message(for code: Int) -> String {
        guard let text = conveyor_curl_easy_strerror(CURLcode(UInt32(truncatingIfNeeded: code))) else {
            return "unknown error"
        }
        return String(cString: text)
    }
}
