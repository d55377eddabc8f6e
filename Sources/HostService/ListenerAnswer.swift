import ConveyorBase
import Foundation
import Hummingbird
import ProcessEngine
import ProcessModel

/// What a listener answers with once its execution has returned documents: built from the
/// documents and their `http.response.*` properties, checked so that no value a document carries
/// can make an answer the HTTP layer refuses (which would stop the host), and with every secret
/// value redacted.
public struct ListenerAnswer: Sendable, Equatable {
    /// The status code, 200–599.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// Creates an answer.
    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// Status codes a returned document may ask for: a final answer (1xx are interim answers).
    public static let allowedStatuses = 200...599

    /// The answer for the documents an execution returned, or an error naming the property and
    /// value that cannot be part of an HTTP answer. One document: its bytes; several: a JSON array
    /// (a document that is not JSON becomes a JSON string). A document property
    /// `http.response.content-type` sets the content type of a single document and
    /// `http.response.status` (on the first document) the status.
    public static func make(returning documents: [Document],
                            redactor: SecretRedactor = SecretRedactor([])) throws(ListenerAnswerError) -> ListenerAnswer {
        let status = try status(of: documents.first)
        if documents.count == 1, let document = documents.first {
            let body = redactor.redact(bytes: document.data)
            let type = try document.properties["http.response.content-type"].map { text throws(ListenerAnswerError) in
                try contentType(redactor.redact(text))
            } ?? HostServer.contentType(of: body)
            return ListenerAnswer(status: status, contentType: type, body: body)
        }
        var array: [UInt8] = [UInt8(ascii: "[")]
        for (position, document) in documents.enumerated() {
            if position > 0 { array.append(UInt8(ascii: ",")) }
            let data = redactor.redact(bytes: document.data)
            if HostServer.isJSON(data) {
                array += data
            } else {
                array += HostJSON.encode(String(decoding: data, as: UTF8.self))
            }
        }
        array.append(UInt8(ascii: "]"))
        return ListenerAnswer(status: status, contentType: "application/json", body: array)
    }

    private static func status(of document: Document?) throws(ListenerAnswerError) -> Int {
        guard let text = document?.properties["http.response.status"] else { return 200 }
        let trimmed = text.trimming(.whitespaces)
        guard trimmed.utf8.count <= 3, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let code = Int(trimmed),
              allowedStatuses.contains(code) else {
            throw ListenerAnswerError(
                "document property http.response.status '\(quoted(text))' is not a status code from 200 to 599")
        }
        return code
    }

    private static func contentType(_ text: String) throws(ListenerAnswerError) -> String {
        let trimmed = text.trimming(.whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 256,
              trimmed.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            throw ListenerAnswerError("document property http.response.content-type '\(quoted(text))' is not a valid "
                                      + "header value (printable ASCII, at most 256 characters, such as text/csv)")
        }
        return trimmed
    }

    /// The value as it may be shown in an error: control characters escaped, at most 64 characters.
    static func quoted(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(64) {
            shown += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text.unicodeScalars.count > 64 ? shown + "…" : shown
    }
}

/// A returned document asks for an answer HTTP cannot carry.
public struct ListenerAnswerError: Error, Sendable, CustomStringConvertible {
    /// Which property and value, and what is expected.
    public var message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension HTTPResponse.Status {
    /// The status for a code already checked to be 200–599 (nil otherwise, never a trap).
    init?(exactly code: Int) {
        guard ListenerAnswer.allowedStatuses.contains(code) else { return nil }
        self.init(code: code)
    }
}
