import DocumentMapping

/// A BigQuery job that ended in error, or that was still running when the wait ended.
public struct BigQueryJobError: Error, Sendable, CustomStringConvertible {
    /// What went wrong with the job.
    public enum Kind: Sendable, Equatable {
        /// `status.errorResult`: the job failed; `errors` are the other entries of `status.errors`.
        case failed(reason: String, message: String, errors: [String])
        /// The wait ended after `timeout`; the job itself keeps running in BigQuery.
        case stillRunning(timeout: Duration)
    }

    /// The job id.
    public var jobID: String
    /// What Conveyor used the job for, such as `query job` or `MERGE into p.d.t`.
    public var purpose: String
    public var kind: Kind

    public var description: String {
        switch kind {
        case .failed(let reason, let message, let errors):
            var text = "BigQuery \(purpose) \(jobID) failed: \(reason): \(message)"
            if !errors.isEmpty { text += " (also: " + errors.joined(separator: "; ") + ")" }
            return text
        case .stillRunning(let timeout):
            return "BigQuery \(purpose) \(jobID) still running after \(timeout.shortText); it keeps running"
        }
    }

    /// The error as a JSON object, for application-error documents.
    var json: JSONValue {
        var object = JSONObject()
        object["jobId"] = .string(jobID)
        switch kind {
        case .failed(let reason, let message, let errors):
            object["reason"] = .string(reason)
            object["message"] = .string(message)
            if !errors.isEmpty { object["errors"] = .array(errors.map { .string($0) }) }
        case .stillRunning:
            object["reason"] = "stillRunning"
            object["message"] = .string(description)
        }
        return .object(object)
    }

    /// The failure a finished Job resource reports in `status.errorResult`, if any.
    static func failure(of job: JSONValue, jobID: String, purpose: String) -> BigQueryJobError? {
        guard let status = job[key: "status"], let result = status[key: "errorResult"], !result.isNull else {
            return nil
        }
        let reason = result[key: "reason"]?.textValue ?? "unknown"
        var message = result[key: "message"]?.textValue ?? "no message"
        if let location = result[key: "location"]?.textValue, !location.isEmpty { message += " (at \(location))" }
        var others: [String] = []
        for entry in status[key: "errors"]?.arrayValue ?? [] where entry != result {
            let text = "\(entry[key: "reason"]?.textValue ?? "unknown"): \(entry[key: "message"]?.textValue ?? "no message")"
            others.append(text)
        }
        return BigQueryJobError(jobID: jobID, purpose: purpose,
                                kind: .failed(reason: reason, message: message, errors: others))
    }
}
