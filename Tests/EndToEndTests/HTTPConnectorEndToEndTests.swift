import Foundation
import Testing

/// The `http` connector through the built binary, against httpbin and a paginated listing on
/// loopback: auth accepted and refused, statuses retried and given up, redirects refused, time
/// limits, gzip, chunked bodies, echoed headers, percent-encoded values, and every pagination style.
@Suite("the http connector end to end")
struct HTTPConnectorEndToEndTests {
    static let secrets = ["CONVEYOR_SECRET_API_PASSWORD": "s3cret-pass", "CONVEYOR_SECRET_WRONG_PASSWORD": "not-it-at-all",
                          "CONVEYOR_SECRET_API_TOKEN": "tok-98765-abcdef"]

    /// A workspace with connections `api` (no auth), `basic`, `wrong` (basic, wrong password) and
    /// `bearer` on `base`, the operations given, and one process per entry of `processes`: inbox
    /// (one document per line of in/<id>.jsonl, properties `key` and `value` from members of those
    /// names) or `start` operation → operation → out/<key>.json (or out/<id>.jsonl for a start);
    /// the process of entry `id` is `p-<id>`.
    static func workspace(_ base: String, operations: [String: String], processes: [String: String],
                          inputs: [String: [String]] = [:]) throws -> String {
        var files: [String: String] = [
            "connectors/api.xml": """
                <connection id="api" type="http"><baseUrl>\(base)</baseUrl>
                  <header name="X-Client" value="conveyor-tests"/>
                  <retry maxAttempts="3" initialBackoff="10ms" maxBackoff="50ms"/><timeouts connect="2s" request="1500ms"/>
                </connection>
                """,
            "connectors/basic.xml": """
                <connection id="basic" type="http"><baseUrl>\(base)</baseUrl>
                  <auth grant="basic"><user>alice</user><password>${secret:API_PASSWORD}</password></auth>
                </connection>
                """,
            "connectors/wrong.xml": """
                <connection id="wrong" type="http"><baseUrl>\(base)</baseUrl>
                  <auth grant="basic"><user>alice</user><password>${secret:WRONG_PASSWORD}</password></auth>
                </connection>
                """,
            "connectors/bearer.xml": """
                <connection id="bearer" type="http"><baseUrl>\(base)</baseUrl>
                  <auth grant="bearer"><token>${secret:API_TOKEN}</token></auth>
                </connection>
                """,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": #"<operation id="write" type="disk" action="send"><fileName>{key}.json</fileName></operation>"#,
            "connectors/append.xml": """
                <operation id="append" type="disk" action="send"><fileName>{process:listing}.jsonl</fileName><append>true</append></operation>
                """,
            "connectors/inbox.xml": #"<connection id="inbox" type="disk"><directory>in</directory></connection>"#,
        ]
        for (id, xml) in operations { files["connectors/\(id).xml"] = xml }
        for (id, shape) in processes {
            let parts = shape.split(separator: " ").map(String.init)
            if parts[0] == "start" {
                files["processes/p-\(id).xml"] = """
                    <process id="p-\(id)" name="\(id)">
                      <properties><property name="listing" value="\(id)"/></properties>
                      <shapes>
                        <start id="start" next="save"><connector connection="\(parts[1])" operation="\(parts[2])"/></start>
                        <connector id="save" connection="outbox" operation="append" next="done"/>
                        <stop id="done"/>
                      </shapes>
                    </process>
                    """
            } else {
                files["connectors/read-\(id).xml"] = """
                    <operation id="read-\(id)" type="disk" action="get"><filePattern>\(id).jsonl</filePattern><split by="json-lines"/></operation>
                    """
                files["processes/p-\(id).xml"] = """
                    <process id="p-\(id)" name="\(id)">
                      <properties><property name="expected" value="s3cret-pass"/></properties>
                      <shapes>
                        <start id="start" next="tag"><connector connection="inbox" operation="read-\(id)"/></start>
                        <setProperties id="tag" next="call">
                          <property scope="document" name="key"><value source="profile" path="/key"/></property>
                          <property scope="document" name="value"><value source="profile" path="/value"/></property>
                        </setProperties>
                        <connector id="call" connection="\(parts[0])" operation="\(parts[1])" next="save"/>
                        <connector id="save" connection="outbox" operation="write" next="done"/>
                        <stop id="done"/>
                      </shapes>
                    </process>
                    """
                files["in/\(id).jsonl"] = (inputs[id] ?? []).joined(separator: "\n") + "\n"
            }
        }
        return try Harness.workspace("http", files: files)
    }

    static func get(_ id: String, _ path: String, _ extra: String = "") -> String {
        #"<operation id="\#(id)" type="http" action="send"><method>GET</method><path>\#(path)</path>\#(extra)</operation>"#
    }

    static func run(_ process: String, _ workspace: String) throws -> (status: Int32, said: String) {
        let output = try Harness.conveyor(["run", "p-" + process, "--workspace", workspace], environment: secrets)
        let said = output.stdout + output.stderr
        for value in secrets.values { #expect(!said.contains(value), "a secret was shown: \(said)") }
        return (output.status, said)
    }

    static func json(_ workspace: String, _ name: String) throws -> [String: Any] {
        let text = try String(contentsOfFile: workspace + "/out/" + name, encoding: .utf8)
        return try #require(try Harness.json(text) as? [String: Any], "\(text)")
    }

    /// libcurl is opened on the first request, not when the executable starts (its 32 libraries cost
    /// every command about 3 ms): a command without a request never needs it, and one whose libcurl
    /// cannot be opened fails that request, naming why.
    @Test("libcurl is loaded on the first request; a libcurl that cannot be loaded fails the request, named")
    func libcurlLoadedOnFirstRequest() throws {
        let loaded = try Harness.conveyor(["--version"], environment: ["LD_TRACE_LOADED_OBJECTS": "1"])
        #expect(loaded.status == 0 && loaded.stdout.contains("libc.so"), "\(loaded.stdout)\(loaded.stderr)")
        #expect(!loaded.stdout.contains("libcurl"), "the executable needs libcurl at start: \(loaded.stdout)")

        let root = try Self.workspace("http://127.0.0.1:9", operations: ["status": Self.get("status", "/status/{value}")],
                                      processes: ["status": "api status"],
                                      inputs: ["status": [#"{"key":"ok","value":"200"}"#]])
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A file by libcurl's name that is no library, found first.
        let libraries = root + "/broken-libraries"
        try FileManager.default.createDirectory(atPath: libraries, withIntermediateDirectories: true)
        try "not a shared object".write(toFile: libraries + "/libcurl.so.4", atomically: true, encoding: .utf8)
        let broken = Self.secrets.merging(["LD_LIBRARY_PATH": libraries]) { $1 }
        let validated = try Harness.conveyor(["validate", "--workspace", root], environment: broken)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        let run = try Harness.conveyor(["run", "p-status", "--workspace", root], environment: broken)
        let said = run.stdout + run.stderr
        #expect(run.status == 1, "\(said)")
        #expect(said.contains("0 out, 1 failed"), "\(said)")
        #expect(said.contains("GET http://127.0.0.1:9/status/200 failed: curl error 2 (libcurl could not be loaded): "
                              + libraries + "/libcurl.so.4"), "\(said)")
    }

    @Test func statusesAuthRedirectsAndTimeouts() throws {
        let api = try HTTPTestAPI()
        let root = try Self.workspace(api.url, operations: [
            "status": Self.get("status", "/status/{value}"),
            "basic-auth": Self.get("basic-auth", "/basic-auth/alice/{process:expected}"),
            "bearer-auth": Self.get("bearer-auth", "/bearer"),
            "slow": Self.get("slow", "/delay/{value}"),
            "flaky": Self.get("flaky", "/flaky/{key}", #"<queryParameter name="status" value="{value}"/>"#),
        ], processes: [
            "flaky": "api flaky",
            "statuses": "api status", "basic-ok": "basic basic-auth", "basic-refused": "wrong basic-auth",
            "bearer-ok": "bearer bearer-auth", "bearer-refused": "api bearer-auth", "slow": "api slow",
        ], inputs: [
            "statuses": [#"{"key":"ok","value":"200"}"#, #"{"key":"missing","value":"404"}"#,
                         #"{"key":"busy","value":"503"}"#, #"{"key":"limited","value":"429"}"#,
                         #"{"key":"moved","value":"302"}"#],
            "basic-ok": [#"{"key":"basic","value":""}"#], "basic-refused": [#"{"key":"basic-refused","value":""}"#],
            "bearer-ok": [#"{"key":"bearer","value":""}"#], "bearer-refused": [#"{"key":"bearer-refused","value":""}"#],
            "slow": [#"{"key":"slow","value":"3"}"#],
            "flaky": [#"{"key":"unavailable","value":"503"}"#, #"{"key":"throttled","value":"429"}"#],
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let validated = try Harness.conveyor(["validate", "--workspace", root], environment: Self.secrets)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")

        let statuses = try Self.run("statuses", root)
        #expect(statuses.status == 1, "\(statuses.said)")
        #expect(FileManager.default.fileExists(atPath: root + "/out/ok.json"), "\(statuses.said)")
        #expect(statuses.said.contains("1 out, 4 failed"), "\(statuses.said)")
        #expect(statuses.said.contains("GET \(api.url)/status/404 answered HTTP 404"), "\(statuses.said)")
        #expect(statuses.said.contains("GET \(api.url)/status/503 answered HTTP 503"), "\(statuses.said)")
        #expect(statuses.said.contains("GET \(api.url)/status/429 answered HTTP 429"), "\(statuses.said)")
        #expect(statuses.said.contains("redirects are not followed"), "\(statuses.said)")

        // Two 503 (or 429) answers with Retry-After, then success: the third attempt's answer goes on
        // (the wait the server asks for is capped by the connection's maxBackoff, 50ms).
        let flaky = try Self.run("flaky", root)
        #expect(flaky.status == 0 && flaky.said.contains("2 out"), "\(flaky.said)")
        #expect(try Self.json(root, "unavailable.json")["attempts"] as? Int == 3)
        #expect(try Self.json(root, "throttled.json")["attempts"] as? Int == 3)

        let basic = try Self.run("basic-ok", root)
        #expect(basic.status == 0, "\(basic.said)")
        #expect(try Self.json(root, "basic.json")["authenticated"] as? Bool == true)
        let refused = try Self.run("basic-refused", root)
        #expect(refused.status == 1 && refused.said.contains("answered HTTP 401"), "\(refused.said)")

        let bearer = try Self.run("bearer-ok", root)
        #expect(bearer.status == 0, "\(bearer.said)")
        #expect(try Self.json(root, "bearer.json")["authenticated"] as? Bool == true)
        let noToken = try Self.run("bearer-refused", root)
        #expect(noToken.status == 1 && noToken.said.contains("GET \(api.url)/bearer answered HTTP 401"), "\(noToken.said)")

        let started = Date()
        let slow = try Self.run("slow", root)
        #expect(slow.status == 1 && slow.said.contains("curl error 28"), "\(slow.said)")
        // Three attempts of 1.5 s each at most, not the 3 s the server would take each time.
        #expect(Date().timeIntervalSince(started) < 8, "\(slow.said)")
    }

    @Test func bodiesHeadersAndEncodedValues() throws {
        let api = try HTTPTestAPI()
        let root = try Self.workspace(api.url, operations: [
            "echo": Self.get("echo", "/anything/customers/{value}",
                             #"<queryParameter name="q" value="{value}"/><header name="X-Trace" value="{key}"/>"#),
            "raw": Self.get("raw", "/raw/customers/{value}", #"<queryParameter name="q" value="{value}"/>"#),
            "gzip": Self.get("gzip", "/gzip"),
            "chunked": Self.get("chunked", "/stream/{value}"),
            "post": #"<operation id="post" type="http" action="send"><method>POST</method><path>/post</path></operation>"#,
        ], processes: ["echo": "api echo", "raw": "api raw", "gzip": "api gzip", "chunked": "api chunked", "post": "api post"], inputs: [
            "echo": [#"{"key":"hostile","value":"../admin?x=1#"}"#], "raw": [#"{"key":"raw","value":"../admin?x=1#"}"#],
            "gzip": [#"{"key":"gzip","value":""}"#], "chunked": [#"{"key":"chunked","value":"3"}"#],
            "post": [#"{"key":"posted","value":"é & ü"}"#],
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        for process in ["echo", "raw", "gzip", "chunked", "post"] {
            let result = try Self.run(process, root)
            #expect(result.status == 0, "\(process): \(result.said)")
        }
        // The value stayed inside one path segment, and inside one query value.
        #expect(try Self.json(root, "raw.json")["raw"] as? String == "/raw/customers/..%2Fadmin%3Fx%3D1%23?q=..%2Fadmin%3Fx%3D1%23")
        let echoed = try Self.json(root, "hostile.json")
        #expect((echoed["args"] as? [String: Any])?["q"] as? String == "../admin?x=1#", "\(echoed)")
        let headers = echoed["headers"] as? [String: Any]
        #expect(headers?["X-Trace"] as? String == "hostile" && headers?["X-Client"] as? String == "conveyor-tests", "\(echoed)")
        #expect(try Self.json(root, "gzip.json")["gzipped"] as? Bool == true)
        let chunked = try String(contentsOfFile: root + "/out/chunked.json", encoding: .utf8)
        #expect(chunked.split(separator: "\n").count == 3, "\(chunked)")
        let posted = try Self.json(root, "posted.json")
        #expect((posted["json"] as? [String: Any])?["value"] as? String == "é & ü", "\(posted)")
        #expect((posted["headers"] as? [String: Any])?["Content-Type"] as? String == "application/json", "\(posted)")
    }

    @Test func everyPaginationStyleSplitsPageByPage() throws {
        let api = try HTTPTestAPI()
        let root = try Self.workspace(api.url, operations: [
            "link": Self.get("link", "/pages/link", #"<queryParameter name="per_page" value="40"/><pagination style="link-header"/>"#),
            "next-url": Self.get("next-url", "/pages/next-url", #"<pagination style="next-url" path="/next"/><split path="/items"/>"#),
            "token": Self.get("token", "/pages/token",
                              #"<pagination style="next-token" path="/nextPageToken" parameter="pageToken"/><split path="/data/items"/>"#),
            "offset": Self.get("offset", "/pages/offset", #"<pagination style="offset" limit="60"/><split path="/items"/>"#),
            "page": Self.get("page", "/pages/page", #"<pagination style="page"/><split path="/results"/>"#),
            "elsewhere": Self.get("elsewhere", "/pages/elsewhere", #"<pagination style="link-header"/>"#),
        ], processes: ["link": "start api link", "next-url": "start api next-url", "token": "start api token",
                       "offset": "start api offset", "page": "start api page", "elsewhere": "start api elsewhere"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let validated = try Harness.conveyor(["validate", "--workspace", root], environment: Self.secrets)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        for style in ["next-url", "token", "offset", "page"] {
            let result = try Self.run(style, root)
            #expect(result.status == 0, "\(style): \(result.said)")
            let lines = try Harness.jsonLines(String(contentsOfFile: root + "/out/\(style).jsonl", encoding: .utf8))
            #expect(lines.map { $0["id"] as? Int } == (1...250).map { $0 }, "\(style)")
        }
        // Without <split>, each page is one document: 250 items at 40 a page make 7 pages.
        let link = try Self.run("link", root)
        #expect(link.status == 0, "\(link.said)")
        let pages = try String(contentsOfFile: root + "/out/link.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(pages.count == 7, "\(pages)")
        let elsewhere = try Self.run("elsewhere", root)
        #expect(elsewhere.status != 0 && elsewhere.said.contains("the next page is on another server"), "\(elsewhere.said)")
    }

    @Test func badSettingsAreReportedWithTheirLines() throws {
        let root = try Harness.workspace("http-bad", files: [
            "connectors/api.xml": """
                <connection id="api" type="http">
                  <baseUrl>ftp://example.com</baseUrl>
                  <auth grant="api-key"><apiKey>${secret:API_TOKEN}</apiKey></auth>
                  <maxInFlight>0</maxInFlight>
                </connection>
                """,
            "connectors/call.xml": """
                <operation id="call" type="http" action="send">
                  <method>FETCH</method>
                  <path>customers/{id</path>
                  <pagination style="offset"/>
                </operation>
                """,
            "processes/p.xml": """
                <process id="p" name="p"><shapes>
                  <start id="start" next="done"><connector connection="api" operation="call"/></start><stop id="done"/>
                </shapes></process>
                """,
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let output = try Harness.conveyor(["validate", "--workspace", root], environment: Self.secrets)
        let said = output.stdout + output.stderr
        #expect(output.status != 0, "\(said)")
        for expected in ["api.xml:2:", "is not an http or https URL", "api.xml:3:", "header=\"NAME\"", "api.xml:4:",
                         "<maxInFlight> must be a whole number from 1 to 256", "call.xml:2:", "<method> 'FETCH'",
                         "call.xml:3:", "must start with '/'", "call.xml:4:", "add <split path="] {
            #expect(said.contains(expected), "\(expected): \(said)")
        }
        #expect(!said.contains("tok-98765-abcdef"))
    }
}
