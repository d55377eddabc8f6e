import Foundation
import Testing

/// A listener whose answer's status and content type come from the request: no value a request
/// carries can stop `conveyor serve`; an answer HTTP cannot carry is a 500 naming the property.
@Suite struct ListenerResponseTests {
    static func workspace() throws -> String {
        func process(_ id: String, property: String, query: String) -> String {
            """
            <process id="\(id)" allowSimultaneous="true">
              <shapes>
                <start id="start" next="set"><listener path="/\(id)" method="POST"/></start>
                <setProperties id="set" next="answer">
                  <property scope="document" name="\(property)"><value source="document" property="http.query.\(query)"/></property>
                </setProperties>
                <returnDocuments id="answer"/>
              </shapes>
            </process>
            """
        }
        return try Harness.workspace("listener-response", files: [
            "processes/status.xml": process("status", property: "http.response.status", query: "code"),
            "processes/type.xml": process("type", property: "http.response.content-type", query: "type"),
        ])
    }

    /// `curl -i` of a POST; returns the head and body.
    func post(_ url: String) throws -> String {
        try ServeHost.curl(["-i", "-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "hello", url])
    }

    @Test func hostileStatusAndContentTypeGet500AndTheHostKeepsAnswering() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }

        let statuses = ["1000", "-1", "abc", "0", "99", "100", "101", "600", "999", "2147483648",
                        "99999999999999999999999", "%20", "2%0A00", "20%00", "0x1F4", "+200", "1e2", ""]
        for code in statuses {
            let answer = try post(host.base + "/status?code=" + code)
            #expect(answer.hasPrefix("HTTP/1.1 500"), "status '\(code)': \(answer)")
            #expect(answer.contains("http.response.status"), "status '\(code)': \(answer)")
            #expect(answer.contains("is not a status code from 200 to 599"), "\(answer)")
            #expect(host.process.isRunning, "the host stopped after status '\(code)'")
            let next = try post(host.base + "/status?code=201")
            #expect(next.hasPrefix("HTTP/1.1 201"), "after status '\(code)': \(next)")
            #expect(next.hasSuffix("hello"))
        }
        #expect(try post(host.base + "/status?code=599").hasPrefix("HTTP/1.1 599"))

        let types = ["text/plain%0D%0ASet-Cookie:%20a=b", "text/plain%0ASet-Cookie:%20a=b", "a%00b", "%7F",
                     "%C3%A9t%C3%A9", String(repeating: "x", count: 300), "", "%20"]
        for type in types {
            let answer = try post(host.base + "/type?type=" + type)
            #expect(answer.hasPrefix("HTTP/1.1 500"), "content type '\(type)': \(answer)")
            #expect(answer.contains("http.response.content-type"), "\(answer)")
            let head = answer.components(separatedBy: "\r\n\r\n").first ?? answer
            #expect(!head.lowercased().contains("set-cookie"), "\(answer)")
            #expect(host.process.isRunning, "the host stopped after content type '\(type)'")
        }
        let csv = try post(host.base + "/type?type=text/csv")
        #expect(csv.hasPrefix("HTTP/1.1 200"))
        #expect(csv.lowercased().contains("content-type: text/csv"))
        // A status holding a C1 control (`CSI`, which terminals act on) and a line break forging a
        // log line: the log shows them escaped, each event on one line.
        let forged = try post(host.base + "/status?code=%C2%9B2J%0A2026-01-01T00:00:00%2B0000%20info%20forged")
        #expect(forged.hasPrefix("HTTP/1.1 500"), "\(forged)")
        #expect(try await host.stop())
        let log = host.log
        #expect(log.contains("listener answer refused"))
        #expect(!log.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x1B }, "\(log)")
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00+0000 info forged") }, "\(log)")
        #expect(log.contains(#"\u{9b}2J\n2026-01-01T00:00:00+0000 info forged"#) || log.contains(#"\u{9b}2J\u{a}"#), "\(log)")
    }
}
