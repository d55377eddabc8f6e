import Synchronization

/// Idle easy handles kept for reuse, so that their open connections are reused too.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasyHandle]>([])
    private let maxIdle: Int

    /// Creates a pool keeping at most `maxIdle` idle handles.
    init(maxIdle: Int) {
        self.maxIdle = maxIdle
    }

    /// Takes an idle handle, or creates one; nil when libcurl cannot allocate a handle.
    func checkOut() -> CurlEasyHandle? {
        if let handle = idle.withLock({ $0.popLast() }) {
            return handle
        }
        return CurlEasyHandle()
    }

    /// Returns a handle after its transfer finished; handles beyond `maxIdle` are freed.
    func checkIn(_ handle: CurlEasyHandle) {
        idle.withLock { handles in
            if handles.count < maxIdle {
                handles.append(handle)
            }
        }
    }

    /// The number of idle handles.
    var idleCount: Int {
        idle.withLock { $0.count }
    }
}
