@testable import HTTPConnector
import Testing

/// Percent-encoding of interpolated values and the reading of `Link` headers.
@Suite struct HTTPURLTests {
    @Test func hostileValueStaysInOneSegment() {
        #expect(HTTPURL.encode("../admin?x=1#") == "..%2Fadmin%3Fx%3D1%23")
        #expect(HTTPURL.encode("a b&c=d/é%") == "a%20b%26c%3Dd%2F%C3%A9%25")
        #expect(HTTPURL.encode("Az09-._~") == "Az09-._~")
    }

    @Test func nextLinkIsFoundAmongOthers() {
        let header = #"<https://api.example.com/items?page=1>; rel="first", <https://api.example.com/items?page=3>; rel="next""#
        #expect(HTTPURL.nextLink(in: header) == "https://api.example.com/items?page=3")
        #expect(HTTPURL.nextLink(in: #"</items?page=9>; rel="last""#) == nil)
        #expect(HTTPURL.nextLink(in: "</p2>; rel=next") == "/p2")
    }

    @Test func queryParameterIsReplaced() {
        #expect(HTTPURL.setting("page", to: "2", in: "http://h/x?page=1&q=a") == "http://h/x?q=a&page=2")
        #expect(HTTPURL.setting("token", to: "a/b", in: "http://h/x") == "http://h/x?token=a%2Fb")
    }

    @Test func originsCompareSchemeHostAndPort() {
        #expect(HTTPURL.origin(of: "https://API.example.com/v1") == HTTPURL.origin(of: "https://api.example.com:443/x"))
        #expect(HTTPURL.origin(of: "http://127.0.0.1:8080/a") != HTTPURL.origin(of: "http://127.0.0.1:8081/a"))
    }
}
