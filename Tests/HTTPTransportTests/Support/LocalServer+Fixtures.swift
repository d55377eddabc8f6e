import Foundation
import TestSupport

extension LocalServer {
    /// The HTTP test server scripts of this target.
    static var fixtures: URL {
        packageRoot.appendingPathComponent("Tests/HTTPTransportTests/Fixtures")
    }
}
