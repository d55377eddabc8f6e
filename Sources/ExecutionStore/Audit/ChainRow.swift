/// A tracked-field record read for the audit chain: its stored hashes and its content.
struct ChainRow {
    var sequence: Int64?
    var contentHash: [UInt8]
    var chainHash: [UInt8]
    var content: ChainContent
    var documentID: Int64
    var position: Int

    /// Columns for ``init(row:)``; joins `documents d` and `executions e` to `tracked_values t`
    /// with LEFT JOINs, so a record whose document or execution vanished is still read.
    static let select = """
        SELECT t.seq, t.content_hash, t.chain_hash, d.execution_id, e.process_id, d.shape_id,
            d.connection_id, d.operation_id, d.direction, d.doc_index, d.status, t.name, t.value,
            t.truncated, d.recorded_at, t.document_id, t.position
        FROM tracked_values t
        LEFT JOIN documents d ON d.id = t.document_id
        LEFT JOIN executions e ON e.id = d.execution_id
        """

    init(row: StoreRow) {
        sequence = row.isNull(0) ? nil : row.int64(0)
        contentHash = row.blob(1)
        chainHash = row.blob(2)
        content = ChainContent(
            executionID: row.text(3) ?? "", processID: row.text(4) ?? "", shapeID: row.text(5) ?? "",
            connectionID: row.text(6), operationID: row.text(7), direction: row.text(8) ?? "",
            documentIndex: row.int(9), status: row.text(10) ?? "", field: row.text(11) ?? "",
            value: row.text(12) ?? "", cut: row.int(13) != 0, recordedAt: row.text(14) ?? "")
        documentID = row.int64(15)
        position = row.int(16)
    }
}
