import DocumentMapping

/// Why an upsert into one table failed, and whether its staging table could still be dropped.
struct UpsertError: Error, Sendable, CustomStringConvertible {
    /// The step that failed, such as `loading the staging table`.
    var step: String
    var target: TableReference
    /// The error of that step (nil when only the staging drop failed).
    var cause: (any Error)?
    var staging: TableReference?
    /// Set when the staging table could not be dropped.
    var dropError: (any Error)?

    var description: String {
        var text: String
        if let cause {
            text = "upsert into \(target) failed while \(step): \(cause)"
        } else {
            text = "upsert into \(target) merged the rows, but"
        }
        if let dropError, let staging {
            text += (cause == nil ? " " : "; ")
                + "staging table \(staging) could not be dropped (it expires in 24 hours): \(dropError)"
        }
        return text
    }

    /// True for errors answered by BigQuery (returned as documents when `returnApplicationErrors` is on).
    var isApplicationError: Bool {
        guard let cause else { return dropError is BigQueryAPIError }
        return cause is BigQueryAPIError || cause is BigQueryJobError
    }

    var json: JSONValue {
        var object = JSONObject()
        object["step"] = .string(step)
        if let job = cause as? BigQueryJobError { object["job"] = job.json }
        if let api = cause as? BigQueryAPIError { object["api"] = api.json }
        object["message"] = .string(description)
        return .object(object)
    }
}
