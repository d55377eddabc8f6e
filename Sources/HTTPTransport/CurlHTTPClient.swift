import Foundation

/// An ``HTTPClient`` backed by libcurl, with keep-alive connection reuse, HTTP/2 over TLS
/// when the server offers it, and TLS verification always on.
///
/// Redirects are not followed; gzip bodies are decoded. Each blocking transfer runs on a
/// thread of its own, never on the Swift concurrency thread pool, so concurrent requests
/// do not wait for each other. Cancelling the calling task aborts the transfer with
/// `CancellationError`.
public final class CurlHTTPClient: HTTPClient {
    private let timeouts: HTTPTimeouts
    private let caFile: String?
    private let pool: CurlHandlePool

    /// Creates a client with the given time limits.
    ///
    /// - Parameter caFile: a PEM file of the certificate authorities to trust instead of the
    ///   system's (for a private CA); nil trusts the system's. Verification is never turned off.
    public init(timeouts: HTTPTimeouts = .init(), caFile: String? = nil) {
        self.timeouts = timeouts
        self.caFile = caFile
        pool = CurlHandlePool(maxIdle: 16)
    }

    /// Sends `request`; throws ``TransportError`` when no response was received.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let cancellation = CurlCancellation()
        let timeouts = timeouts
        let caFile = caFile
        let pool = pool
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let thread = Thread {
                    guard let handle = pool.checkOut() else {
                        continuation.resume(throwing: TransportError(
                            curlCode: 2,
                            curlMessage: CurlGlobal.message(for: 2),
                            detail: CurlGlobal.loadFailure
                                ?? "could not create a libcurl handle",
                            method: request.method,
                            url: request.url
                        ))
                        return
                    }
                    let result = Result { try handle.perform(request, timeouts: timeouts, caFile: caFile, cancellation: cancellation) }
                    pool.checkIn(handle)
                    continuation.resume(with: result)
                }
                thread.name = "conveyor.http.curl"
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
    }
}
