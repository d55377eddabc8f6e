import ConveyorBase
import DocumentMapping

/// One getQueryResults response: whether the job is complete, its rows and the next page.
struct QueryResultsPage: Sendable {
    var jobComplete: Bool
    /// The schema's fields, when the response has a schema.
    var fields: [ResultField]?
    /// The `rows` array, still in `{"f": [{"v": …}]}` form.
    var rows: [JSONValue]
    var pageToken: String?
    var totalRows: String?

    /// Parses a response body with the DocumentMapping parser.
    static func parse(_ body: [UInt8]) throws(ResultDecodingError) -> QueryResultsPage {
        let json: JSONValue
        do { json = try JSONParser.parse(body) } catch {
            throw ResultDecodingError("the response is not JSON: \(error)")
        }
        guard case .object(let root) = json else {
            throw ResultDecodingError("the response is not a JSON object")
        }
        let complete: Bool
        switch root["jobComplete"] {
        case .bool(let flag)?: complete = flag
        case .string(let text)?: complete = text == "true"
        default: complete = root["rows"] != nil || root["schema"] != nil
        }
        var rows: [JSONValue] = []
        if case .array(let array)? = root["rows"] { rows = array }
        return QueryResultsPage(jobComplete: complete, fields: try ResultField.fields(ofSchema: root["schema"]),
                                rows: rows, pageToken: root["pageToken"]?.stringValue,
                                totalRows: root["totalRows"]?.textValue)
    }

    /// Parses a response body except its `rows` array, which is left in the bytes (its range is
    /// returned; `rows` of the page is empty). The rows array is only skipped, by its brackets: its
    /// reader checks it. Nil when the body is not one object with a single `rows` member whose other
    /// members are valid JSON: ``parse(_:)`` then reads it, or says what is wrong.
    static func parseLeavingRows(_ body: [UInt8]) -> (page: QueryResultsPage, rows: Range<Int>)? {
        let found: Range<Int>?? = body.withUnsafeBufferPointer { bytes in
            var index = JSONBytes.skipWhitespace(bytes, from: 0)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
            index = JSONBytes.skipWhitespace(bytes, from: index + 1)
            var rows: Range<Int>?
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1 } else {
                while true {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                          let key = JSONBytes.stringEnd(bytes, from: index + 1), !key.escaped else { return nil }
                    let isRows = UnsafeBufferPointer(rebasing: bytes[(index + 1)..<(key.end - 1)]).elementsEqual("rows".utf8)
                    index = JSONBytes.skipWhitespace(bytes, from: key.end)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    let start = JSONBytes.skipWhitespace(bytes, from: index + 1)
                    // The rows are only skipped here: `FastResultRows` checks every byte of them
                    // (and their end) as it reads them, and when it cannot, the page is parsed whole.
                    let end = isRows && start < bytes.count && bytes[start] == UInt8(ascii: "[")
                        ? JSONBytes.containerEndUnchecked(bytes, from: start, maximumDepth: JSONParser.maximumDepth)
                        : JSONBytes.valueEnd(bytes, from: start, depth: 2, maximumDepth: JSONParser.maximumDepth)
                    guard let end else { return nil }
                    if isRows {
                        guard rows == nil else { return nil }
                        rows = start..<end
                    }
                    index = JSONBytes.skipWhitespace(bytes, from: end)
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                    guard bytes[index] == UInt8(ascii: ",") else { return nil }
                    index = JSONBytes.skipWhitespace(bytes, from: index + 1)
                }
            }
            guard JSONBytes.skipWhitespace(bytes, from: index) == bytes.count else { return nil }
            return .some(rows)
        }
        guard case .some(let rows?) = found else { return nil }
        var rest = Array(body[..<rows.lowerBound])
        rest.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
        rest.append(contentsOf: body[rows.upperBound...])
        // A page that is not valid JSON is parsed whole by the caller, whose error names the right place.
        guard let page = try? parse(rest) else { return nil }
        return (page, rows)
    }
}

/// Why the results of one job could not be read to the end.
enum QueryResultsError: Error, Sendable, CustomStringConvertible {
    /// The input document names no job.
    case noJob(documentIndex: Int)
    /// The job was still running when the `timeout` setting ran out.
    case notComplete(job: String, timeout: Duration)
    /// A page returned the token it was asked with: reading on would never end.
    case repeatedPageToken(job: String, token: String)
    /// A complete response without a schema.
    case noSchema(job: String)

    var description: String {
        switch self {
        case .noJob(let index):
            return "document \(index) names no job: give {\"jobId\": …, \"location\": …} (or a Job resource "
                + "with jobReference) as the document, or set the document properties jobId and location"
        case .notComplete(let job, let timeout):
            return "job \(job) did not complete within \(timeout.settingText): raise the operation's <timeout> "
                + "(or -1 to wait without limit)"
        case .repeatedPageToken(let job, let token):
            return "getQueryResults of job \(job) returned page token '\(token)' again; stopped reading"
        case .noSchema(let job):
            return "getQueryResults of job \(job) returned a complete result without a schema"
        }
    }
}

extension Duration {
    /// `10s`, `1500ms`: the form the settings use.
    var settingText: String {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return millis % 1000 == 0 ? "\(millis / 1000)s" : "\(millis)ms"
    }
}
