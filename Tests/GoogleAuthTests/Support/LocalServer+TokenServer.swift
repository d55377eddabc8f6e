import Foundation
import TestSupport

extension LocalServer {
    /// The local OAuth token endpoint.
    static var tokenServerScript: URL {
        packageRoot.appendingPathComponent("scripts/token_server.py")
    }
}
