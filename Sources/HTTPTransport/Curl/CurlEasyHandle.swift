internal import CCurl

/// Owns one libcurl easy handle; reused across requests so its connection cache keeps connections alive.
///
/// `@unchecked Sendable`: a handle is used by one transfer at a time. ``CurlHandlePool`` hands it
/// out exclusively and takes it back only after ``perform(_:timeouts:cancellation:)`` returned.
final class CurlEasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int

    /// Creates a handle, or returns nil when libcurl cannot allocate one.
    init?() {
        _ = CurlGlobal.ensureInitialized()
        guard let handle = conveyor_curl_easy_init() else {
            return nil
        }
        self.handle = handle
        errorBufferSize = Int(conveyor_curl_error_size())
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        conveyor_curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Performs `request` synchronously (blocking the calling thread) and returns the response.
    ///
    /// `caFile` names a PEM file of certificate authorities to trust instead of the system's; the
    /// server's certificate and name are verified either way.
    func perform(_ request: HTTPRequest, timeouts: HTTPTimeouts, caFile: String? = nil,
                 cancellation: CurlCancellation) throws -> HTTPResponse {
        // Options are reset each time; live connections, DNS and TLS session caches survive the reset.
        conveyor_curl_easy_reset(handle)
        errorBuffer[0] = 0
        let transfer = CurlTransfer(cancellation: cancellation)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { conveyor_curl_slist_free_all(headerList) }

        let code: CURLcode = withExtendedLifetime(transfer) {
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            var setup = configure(request, timeouts: timeouts, caFile: caFile, context: context)
            if setup == CURLE_OK {
                headerList = Self.headerList(for: request)
                setup = conveyor_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
            }
            guard setup == CURLE_OK else {
                return setup
            }
            return conveyor_curl_easy_perform(handle)
        }

        guard code == CURLE_OK else {
            if code == CURLE_ABORTED_BY_CALLBACK, cancellation.isCancelled {
                throw CancellationError()
            }
            let raw = Int(code.rawValue)
            throw TransportError(
                curlCode: raw,
                curlMessage: CurlGlobal.message(for: raw),
                detail: String(cString: errorBuffer),
                method: request.method,
                url: request.url
            )
        }
        var status = 0
        _ = conveyor_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    /// Sets every option for one transfer; returns the first failure.
    private func configure(_ request: HTTPRequest, timeouts: HTTPTimeouts, caFile: String?,
                           context: UnsafeMutableRawPointer) -> CURLcode {
        var results: [CURLcode] = []
        func long(_ option: CURLoption, _ value: Int) {
            results.append(conveyor_curl_setopt_long(handle, option, value))
        }
        func string(_ option: CURLoption, _ value: String) {
            results.append(conveyor_curl_setopt_string(handle, option, value))
        }
        func pointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
            results.append(conveyor_curl_setopt_pointer(handle, option, value))
        }

        string(CURLOPT_URL, request.url)
        string(CURLOPT_PROTOCOLS_STR, "http,https")
        long(CURLOPT_SSL_VERIFYPEER, 1)
        long(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile {
            // Only these authorities: the built-in CA directory is dropped as well.
            string(CURLOPT_CAINFO, caFile)
            pointer(CURLOPT_CAPATH, nil)
        }
        long(CURLOPT_NOSIGNAL, 1)
        long(CURLOPT_FOLLOWLOCATION, 0)
        long(CURLOPT_TCP_KEEPALIVE, 1)
        long(CURLOPT_HTTP_VERSION, conveyor_curl_http_version_2tls())
        string(CURLOPT_ACCEPT_ENCODING, "gzip")
        long(CURLOPT_CONNECTTIMEOUT_MS, Int(clamping: timeouts.connect.wholeMilliseconds))
        long(CURLOPT_TIMEOUT_MS, Int(clamping: timeouts.request.wholeMilliseconds))
        pointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))

        results.append(conveyor_curl_setopt_write_function(handle) { data, size, count, context in
            let length = size * count
            guard let data, let context else { return length }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.appendBody(UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        pointer(CURLOPT_WRITEDATA, context)
        results.append(conveyor_curl_setopt_header_function(handle) { data, size, count, context in
            let length = size * count
            guard let data, let context else { return length }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        pointer(CURLOPT_HEADERDATA, context)
        long(CURLOPT_NOPROGRESS, 0)
        results.append(conveyor_curl_setopt_xferinfo_function(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.cancellation.isCancelled ? 1 : 0
        })
        pointer(CURLOPT_XFERINFODATA, context)

        results += configureMethod(request)
        return results.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    /// Chooses the method and, when there is one, hands libcurl a copy of the body.
    private func configureMethod(_ request: HTTPRequest) -> [CURLcode] {
        let method = request.method.uppercased()
        switch method {
        case "GET" where request.body.isEmpty:
            return [conveyor_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)]
        case "HEAD":
            return [conveyor_curl_setopt_long(handle, CURLOPT_NOBODY, 1)]
        default:
            break
        }
        var results: [CURLcode] = []
        if method != "POST" {
            results.append(conveyor_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        if method == "POST" || !request.body.isEmpty {
            results.append(conveyor_curl_setopt_long(handle, CURLOPT_POST, 1))
            results.append(conveyor_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            results.append(request.body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
                let start = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
                return conveyor_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: start))
            })
        }
        return results
    }

    /// Builds the header list; suppresses libcurl's own `Expect` and default form `Content-Type`.
    private static func headerList(for request: HTTPRequest) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in request.headers {
            list = conveyor_curl_slist_append(list, "\(header.name): \(header.value)")
        }
        if !request.headers.contains(named: "Expect") {
            list = conveyor_curl_slist_append(list, "Expect:")
        }
        if !request.headers.contains(named: "Content-Type") {
            list = conveyor_curl_slist_append(list, "Content-Type:")
        }
        return list
    }
}
