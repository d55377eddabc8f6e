import Testing
@testable import HTTPTransport

@Suite("Response header parsing")
struct CurlTransferTests {
    func feed(_ transfer: CurlTransfer, _ line: String) {
        Array(line.utf8).withUnsafeBytes { transfer.appendHeaderLine($0) }
    }

    @Test func keepsOnlyTheFinalResponseHeaders() {
        let transfer = CurlTransfer(cancellation: CurlCancellation())
        feed(transfer, "HTTP/1.1 100 Continue\r\n")
        feed(transfer, "X-Interim: yes\r\n")
        feed(transfer, "\r\n")
        feed(transfer, "HTTP/2 200\r\n")
        feed(transfer, "content-type:  application/json \r\n")
        feed(transfer, "Retry-After: 3\r\n")
        feed(transfer, "\r\n")
        #expect(transfer.headers == [HTTPHeader("content-type", "application/json"), HTTPHeader("Retry-After", "3")])
        let response = HTTPResponse(status: 200, headers: transfer.headers)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("retry-after") == "3")
        #expect(response.header("X-Interim") == nil)
    }

    @Test func requestHelpers() {
        let request = HTTPRequest(url: "https://h/p?key=secret#frag", headers: [HTTPHeader("authorization", "old")])
        #expect(request.redactedURL == "https://h/p")
        let updated = request.settingHeader("Authorization", "Bearer new")
        #expect(updated.headers == [HTTPHeader("Authorization", "Bearer new")])
        #expect(HTTPTimeouts(connect: .milliseconds(1500)).connect.wholeMilliseconds == 1500)
        #expect(Duration.microseconds(1).wholeMilliseconds == 1)
    }
}
