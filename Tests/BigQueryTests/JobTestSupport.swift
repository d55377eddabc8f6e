@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Synchronization

let jobsHere = SourceLocation(file: "connectors/job.xml", line: 4, column: 3)

/// A clock whose sleeps advance virtual time at once and are recorded.
final class VirtualClock: JobClock {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))

    func now() -> Duration { state.withLock { $0.now } }

    func sleep(for duration: Duration) async throws {
        state.withLock { state in
            state.now += duration
            state.sleeps.append(duration)
        }
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
}

/// An operation definition with settings children given as (name, text), plus extra elements.
func jobOperation(_ action: String, _ children: [(String, String)], extra: [SettingsElement] = []) -> OperationDefinition {
    let elements = children.map { SettingsElement(name: $0.0, text: $0.1, location: jobsHere) } + extra
    return OperationDefinition(id: "op", type: "google-bigquery", action: action,
                               settings: SettingsElement(name: "operation", children: elements, location: jobsHere),
                               location: jobsHere)
}

/// `<parameter name type><value source="profile" path="…"/></parameter>` and similar.
func parameter(_ name: String, _ type: String, _ values: [[String: String]]) -> SettingsElement {
    SettingsElement(name: "parameter", attributes: ["name": name, "type": type],
                    children: values.map { SettingsElement(name: "value", attributes: $0, location: jobsHere) },
                    location: jobsHere)
}

func json(_ response: HTTPRequest) -> JSONValue {
    (try? JSONParser.parse(response.body)) ?? .null
}

func answer(_ status: Int = 200, _ text: String, headers: [HTTPHeader] = []) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
}

let jobContext = OperationContext(
    execution: ExecutionInfo(id: "ex-7", processID: "p", processName: "P", startTime: Date(), trigger: .manual),
    shapeID: "job", processProperties: ["dataset": "sales"], environment: [:],
    now: { Date(timeIntervalSince1970: 1_800_000_000) })

func runningJob(_ id: String = "j") -> String {
    #"{"jobReference":{"projectId":"demo","jobId":"\#(id)"},"status":{"state":"RUNNING"}}"#
}

func doneJob(_ id: String = "j", extra: String = "") -> String {
    #"{"jobReference":{"projectId":"demo","jobId":"\#(id)","location":"EU"},"status":{"state":"DONE"}\#(extra)}"#
}
