import Foundation
import HostService
import Testing

@Suite(.serialized) struct HostServerTests {
    let bearer = HostConfiguration(authentication: .bearer(token: "t0ken-secret"), maxBodyBytes: 1_000)
    let auth = ["Authorization": "Bearer t0ken-secret"]

    @Test func listenerAnswersWithTheReturnedDocumentAndSeesHeaders() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let answer = try await TestHost.request(base + "/echo?order=42", method: "POST", body: #"{"id":1}"#,
                                                    headers: auth.merging(["Content-Type": "application/json"]) { $1 })
            #expect(answer.status == 200)
            #expect(answer.body == #"{"id":1}"#)
            #expect(answer.headers["content-type"] == "application/json")
            let two = try await TestHost.request(base + "/two", method: "PUT", body: "plain text", headers: auth)
            #expect(two.status == 200)
            #expect(two.body == #"["plain text","plain text"]"#)
            // The wrong method is not routed.
            let wrong = try await TestHost.request(base + "/two", method: "POST", body: "x", headers: auth)
            #expect(wrong.status == 404 || wrong.status == 405)
        }
    }

    @Test func listenerErrorAnswers500WithTheError() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let answer = try await TestHost.request(base + "/fail", method: "POST", headers: auth)
            #expect(answer.status == 500)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            #expect(json["status"] as? String == "ERROR")
            #expect((json["error"] as? String)?.contains("boom") == true)
            #expect(json["trigger"] as? String == "listener")
        }
    }

    @Test func authenticationIsRequired() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let none = try await TestHost.request(base + "/echo", method: "POST", body: "x")
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"] == "Bearer realm=\"conveyor\"")
            let wrong = try await TestHost.request(base + "/api/executions", headers: ["Authorization": "Bearer t0ken-secreT"])
            #expect(wrong.status == 401)
            let prefix = try await TestHost.request(base + "/api/executions", headers: ["Authorization": "Bearer t0ken"])
            #expect(prefix.status == 401)
        }
        let basic = HostConfiguration(authentication: .basic(user: "ops", password: "pa:ss"))
        try await TestHost.withServer(basic) { base, _ in
            let good = "Basic " + Data("ops:pa:ss".utf8).base64EncodedString()
            let bad = "Basic " + Data("ops:pa:sx".utf8).base64EncodedString()
            #expect(try await TestHost.request(base + "/api/executions", headers: ["Authorization": good]).status == 200)
            let refused = try await TestHost.request(base + "/api/executions", headers: ["Authorization": bad])
            #expect(refused.status == 401)
            #expect(refused.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true)
        }
    }

    @Test func bodyLimitAnswers413() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let big = String(repeating: "x", count: 1_001)
            let tooBig = try await TestHost.request(base + "/echo", method: "POST", body: big, headers: auth)
            #expect(tooBig.status == 413)
            let fits = try await TestHost.request(base + "/echo", method: "POST", body: String(repeating: "x", count: 1_000),
                                                  headers: auth)
            #expect(fits.status == 200)
        }
    }

    @Test func busyProcessAnswers503WithRetryAfter() async throws {
        // The first execution waits until the two requests after it were answered, however
        // loaded the machine.
        let gate = "busy-\(UUID().uuidString)"
        try await TestHost.withServer(bearer, workspace: TestHost.workspace(slowGate: gate)) { base, server in
            let first = Task {
                try await TestHost.request(base + "/slow", method: "POST", body: "a", headers: auth, maxSeconds: 120)
            }
            for _ in 0..<500 where !server.host.isBusy("slow") { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.host.isBusy("slow"))
            let second = try await TestHost.request(base + "/slow", method: "POST", body: "b", headers: auth)
            #expect(second.status == 503)
            #expect(second.headers["retry-after"] == "5")
            let api = try await TestHost.request(base + "/api/processes/slow/executions", method: "POST", headers: auth)
            #expect(api.status == 503)
            TestGate.open(gate)
            #expect(try await first.value.status == 200)
        }
    }

    @Test func restAPITriggersListsAndReadsExecutions() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let accepted = try await TestHost.request(base + "/api/processes/slow/executions?wait=false",
                                                      method: "POST", body: "in", headers: auth)
            #expect(accepted.status == 202)
            let acceptedJSON = try #require(try JSONSerialization.jsonObject(with: Data(accepted.body.utf8)) as? [String: Any])
            let id = try #require(acceptedJSON["id"] as? String)
            #expect(accepted.headers["location"] == "/api/executions/\(id)")
            let waited = try await TestHost.request(base + "/api/processes/plain/executions", method: "POST", headers: auth)
            #expect(waited.status == 200)
            #expect(waited.body.contains(#""status":"COMPLETE""#))
            _ = try await TestHost.request(base + "/fail", method: "POST", headers: auth)

            let errors = try await TestHost.request(base + "/api/executions?status=error&trigger=listener", headers: auth)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(errors.body.utf8)) as? [String: Any])
            let executions = try #require(list["executions"] as? [[String: Any]])
            #expect(executions.count == 1)
            #expect(executions.first?["processId"] as? String == "fail")
            let future = try await TestHost.request(base + "/api/executions?from=2999-01-01T00:00:00Z", headers: auth)
            #expect(future.body == #"{"executions":[]}"#)
            #expect(try await TestHost.request(base + "/api/executions?status=nope", headers: auth).status == 400)

            for _ in 0..<100 {
                let one = try await TestHost.request(base + "/api/executions/\(id)", headers: auth)
                #expect(one.status == 200)
                if !one.body.contains("INPROCESS") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let one = try await TestHost.request(base + "/api/executions/\(id)", headers: auth)
            #expect(one.body.contains(#""status":"COMPLETE""#))
            #expect(try await TestHost.request(base + "/api/executions/ex-nothing", headers: auth).status == 404)
            #expect(try await TestHost.request(base + "/api/processes/nope/executions", method: "POST",
                                               headers: auth).status == 404)
            #expect(try await TestHost.request(base + "/api/tracked", headers: auth).status == 400)
        }
    }
}
