import ExecutionStore
import Foundation
import Hummingbird

extension ReportingPages {
    /// The path of a document's content page.
    static func contentURL(_ executionID: String, index: Int) -> ReportingURL {
        ReportingURL("/reporting/executions/\(ReportingURL.percentEncoded(executionID))/documents/\(index)")
    }

    /// `GET /reporting/executions/{id}/documents/{index}`: every content the execution kept of
    /// the document (`captureDocuments`), each with its shape, direction, status, error, size and
    /// properties, the content readable (JSON and XML indented) and a link to its raw bytes.
    func documentContent(executionID: String, index text: String) -> Response {
        guard let index = Int(text), index >= 0 else {
            return ReportingPage.failure(.badRequest, title: "Bad document index",
                                         message: "'\(text)' is not a document index (0, 1, …).", section: .executions)
        }
        let execution: ExecutionRecord
        let contents: [DocumentContentRecord]
        do {
            guard let found = try store.execution(id: executionID) else {
                return ReportingPage.failure(.notFound, title: "Execution not found",
                                             message: "No execution has the id '\(executionID)'.", section: .executions)
            }
            execution = found
            contents = try store.documentContents(executionID: found.id, index: index)
        } catch {
            return storeFailure(error, section: .executions)
        }
        let back: HTML = "<p>\(ReportingPage.link("← execution \(execution.id)", to: .execution(execution.id))) "
            + "<span class=\"muted\">\(execution.processName)</span></p>"
        guard !contents.isEmpty else {
            let note: HTML = """
                \(back)<p class="error" id="failure">Execution \(execution.id) kept no content of document \(index). \
                The process's <code>captureDocuments</code> may be <code>none</code>, or the document did not fail \
                (with <code>captureDocuments="errors"</code>, the default, only the inputs of documents that failed \
                or were dead-lettered at a connector shape are kept), or the contents were purged.</p>
                """
            return ReportingPage.response(title: "Document \(index)", section: .executions, body: note, status: .notFound)
        }
        let sections = contents.enumerated().map { position, content -> HTML in
            contentSection(content, executionID: execution.id, position: position)
        }
        return ReportingPage.response(title: "Document \(index) of execution \(execution.id)", section: .executions,
                                      body: "\(back)\(sections)")
    }

    /// One captured content: its facts, properties, readable text and raw link.
    func contentSection(_ content: DocumentContentRecord, executionID: String, position: Int) -> HTML {
        let raw = ReportingURL("/reporting/executions/\(ReportingURL.percentEncoded(executionID))/documents/"
            + "\(content.index)/raw", [("shape", content.shapeID), ("direction", content.direction)])
        let cut: HTML = content.cut
            ? " <span class=\"warn cut\">cut: the first \(content.content.count) bytes were kept</span>" : ""
        let error: HTML = content.error.map {
            "<dt>Error</dt><dd class=\"error content-error\">\($0)\(Self.errorCode(content.errorCode))</dd>"
        } ?? ""
        let via: HTML = content.connectionID.map { connection in
            "<dt>Connection</dt><dd class=\"mono\">\(connection)\(content.operationID.map { " / " + $0 } ?? "")</dd>"
        } ?? ""
        let (text, format) = ContentFormatter.readable(content.content, cut: content.cut)
        let shown = text.count > ContentFormatter.displayLimit
            ? String(text.prefix(ContentFormatter.displayLimit)) : text
        let more: HTML = shown.count < text.count
            ? "<p class=\"muted\">The first \(shown.count) characters are shown; download the raw content for all.</p>" : ""
        return """
            <section class="content" id="content-\(position)">
            <h2><span class="mono">\(content.shapeID)</span> · \(content.direction)</h2>
            <dl class="summary">
            <dt>Status</dt><dd class="content-status">\(ReportingPage.badge(content.status.rawValue))</dd>
            \(error)\(via)<dt>Size</dt><dd class="content-size">\(content.size) bytes\(cut)</dd>
            <dt>Recorded (UTC)</dt><dd class="mono">\(ReportingPage.time(content.recordedAt))</dd>
            <dt>Raw content</dt><dd><a class="raw" href="\(raw)">download</a></dd>
            </dl>
            <h2>Properties</h2>
            \(Self.propertiesTable(content.properties))
            <h2>Content <span class="muted">(\(format))</span></h2>
            <pre class="content">\(shown)</pre>\(more)
            </section>

            """
    }

    /// The document's properties as a name/value table.
    static func propertiesTable(_ properties: [String: String]) -> HTML {
        guard !properties.isEmpty else { return "<p class=\"muted\">No properties.</p>" }
        let rows = properties.sorted { $0.key < $1.key }.map { name, value -> HTML in
            "<tr class=\"property\"><td class=\"mono\">\(name)</td><td class=\"mono\">\(value)</td></tr>"
        }
        return "<table class=\"properties\"><thead><tr><th>Property</th><th>Value</th></tr></thead>"
            + "<tbody>\(rows)</tbody></table>"
    }

    /// `GET /reporting/executions/{id}/documents/{index}/raw?shape=S&direction=D`: the stored
    /// bytes of one content as an attachment, never rendered by the browser. Without `shape` and
    /// `direction` the document must have one content only.
    func rawContent(executionID: String, index text: String, _ parameters: [String: String]) -> Response {
        guard let index = Int(text), index >= 0 else {
            return ReportingPage.failure(.badRequest, title: "Bad document index",
                                         message: "'\(text)' is not a document index (0, 1, …).", section: .executions)
        }
        let shape = parameters["shape"], direction = parameters["direction"]
        let contents: [DocumentContentRecord]
        do {
            guard let execution = try store.execution(id: executionID) else {
                return ReportingPage.failure(.notFound, title: "Execution not found",
                                             message: "No execution has the id '\(executionID)'.", section: .executions)
            }
            contents = try store.documentContents(executionID: execution.id, index: index).filter {
                (shape == nil || $0.shapeID == shape) && (direction == nil || $0.direction == direction)
            }
        } catch {
            return storeFailure(error, section: .executions)
        }
        guard let content = contents.first else {
            return ReportingPage.failure(.notFound, title: "No content", message: "No content of document \(index) "
                + "was kept" + (shape.map { " at shape '\($0)'" } ?? "") + (direction.map { " (\($0))" } ?? "") + ".",
                section: .executions)
        }
        guard contents.count == 1 else {
            return ReportingPage.failure(.badRequest, title: "Several contents",
                                         message: "Document \(index) has \(contents.count) contents; choose one with "
                                             + "shape and direction.", section: .executions)
        }
        var headers = ReportingPage.headers(contentType: "application/octet-stream")
        let name = Self.rawFileName(content)
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: content.content)))
    }

    /// `document-<index>-<shape>-<direction>.<json|xml|csv|txt|bin>`, every character outside
    /// letters, digits, `-` and `_` as `_`.
    static func rawFileName(_ content: DocumentContentRecord) -> String {
        let safe = { (text: String) in
            String(text.prefix(60).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        }
        let type = ContentSniffer.mediaType(of: content.content, cut: content.cut)
        let ext = type.hasPrefix("application/json") ? "json" : type.hasPrefix("application/xml") ? "xml"
            : type.hasPrefix("text/csv") ? "csv" : type.hasPrefix("text/plain") ? "txt" : "bin"
        return "document-\(content.index)-\(safe(content.shapeID))-\(safe(content.direction)).\(ext)"
    }
}
