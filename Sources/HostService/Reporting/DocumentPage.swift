import ExecutionStore
import Foundation

/// One page of an execution's document tracking records, rendered.
struct DocumentPage: Sendable {
    /// The table (or note) and its pager.
    var html: HTML
}

extension ReportingPages {
    /// The documents of `execution` on page `page`: every document, or for an execution with more
    /// than ``ReportingRoutes/documentListLimit`` recorded documents, only its failed ones.
    func documentPage(of execution: ExecutionRecord, page: Int) throws -> DocumentPage {
        let total = try store.documentCount(executionID: execution.id)
        guard total > 0 else {
            return DocumentPage(html: "<p class=\"muted\" id=\"no-documents\">No documents were tracked "
                + "(documents are tracked at connector shapes).</p>")
        }
        let perPage = routes.documentsPerPage
        let contents = try store.documentContentIndexes(executionID: execution.id)
        if total > routes.documentListLimit {
            let failed = try store.failedDocuments(executionID: execution.id, limit: perPage)
            let note: HTML = """
                <p class="muted" id="documents-note">\(total) documents were tracked; the page lists only \
                failed documents (the first \(perPage)). Read any document with \
                <code>GET /api/executions/\(execution.id)/documents/INDEX</code>.</p>
                """
            let table = Self.documentTable(failed, contents: contents, executionID: execution.id)
            return DocumentPage(html: failed.isEmpty ? "\(note)<p id=\"no-failed\">No document failed.</p>" : "\(note)\(table)")
        }
        let all = try store.documents(executionID: execution.id)
        let lastPage = max(1, (all.count + perPage - 1) / perPage)
        let current = min(page, lastPage)
        let rows = Array(all.dropFirst((current - 1) * perPage).prefix(perPage))
        let first = (current - 1) * perPage + 1
        let summary: HTML = "<p class=\"muted\" id=\"documents-range\">Records \(first)–\(first + rows.count - 1) "
            + "of \(all.count) (one per document and connector shape).</p>"
        let pager = Self.documentPager(executionID: execution.id, page: current, lastPage: lastPage)
        let table = Self.documentTable(rows, contents: contents, executionID: execution.id)
        return DocumentPage(html: "\(summary)\(table)\(pager)")
    }

    /// Links to the previous and next pages of documents.
    static func documentPager(executionID: String, page: Int, lastPage: Int) -> HTML {
        guard lastPage > 1 else { return "" }
        let previous: HTML = page > 1
            ? "<a rel=\"prev\" href=\"\(ReportingURL.execution(executionID, page: page - 1))\">← previous</a>" : ""
        let next: HTML = page < lastPage
            ? "<a rel=\"next\" href=\"\(ReportingURL.execution(executionID, page: page + 1))\">next →</a>" : ""
        return "<div class=\"pager\" id=\"documents-pager\">\(previous)<span class=\"muted\">documents page \(page) "
            + "of \(lastPage)</span>\(next)</div>"
    }

    /// A table of document tracking records with their tracked fields and errors; the index of
    /// a document in `contents` (it has captured contents) links to its content page.
    static func documentTable(_ documents: [DocumentRecord], contents: Set<Int> = [], executionID: String = "") -> HTML {
        let rows = documents.map { document -> HTML in
            let index: HTML = contents.contains(document.index)
                ? "<a class=\"content-link\" href=\"\(contentURL(executionID, index: document.index))\">\(document.index)</a>"
                : "\(document.index)"
            return """
            <tr class="document"><td class="mono">\(document.shapeID)</td><td>\(document.direction)</td>\
            <td class="num">\(index)</td><td>\(ReportingPage.badge(document.status.rawValue))</td>\
            <td>\(trackedList(document.trackedValues))</td><td class="error">\(document.error)\(errorCode(document.errorCode))</td>\
            <td class="mono">\(ReportingPage.time(document.recordedAt))</td></tr>

            """
        }
        return """
            <table id="documents"><thead><tr><th>Shape</th><th>Direction</th><th>Index</th><th>Status</th>\
            <th>Tracked fields</th><th>Error</th><th>Recorded (UTC)</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

    /// A failed document's error code after its error, e.g. `[rejected]` (docs/format.md).
    static func errorCode(_ code: String?) -> HTML {
        guard let code else { return "" }
        return " <span class=\"muted error-code\">[\(code)]</span>"
    }

    /// Tracked values as `name: value` lines; a cut value is marked.
    static func trackedList(_ values: [TrackedValue]) -> HTML {
        guard !values.isEmpty else { return "" }
        let items = values.map { value -> HTML in
            let cut: HTML = value.truncated ? " <span class=\"muted\">(cut)</span>" : ""
            return "<li><span class=\"muted\">\(value.name):</span> <span class=\"tracked-value\">\(value.value)</span>\(cut)</li>"
        }
        return "<ul class=\"tracked\">\(items)</ul>"
    }
}
