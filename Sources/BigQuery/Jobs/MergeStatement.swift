import ProcessEngine

/// Builds the GoogleSQL of an upsert from checked identifiers only: every column and key is
/// validated against `^[A-Za-z_][A-Za-z0-9_]*$` and back-quoted; no value is ever spliced in.
struct MergeStatement: Sendable {
    var target: TableReference
    var staging: TableReference
    var keys: [String]
    /// The target table's top-level columns, in table order.
    var columns: [String]
    /// Rows whose keys match are updated; when false they are left as they are (insert new keys only).
    var updateMatched = true
    /// A staging-only BOOL column: true deletes the matched row (and inserts nothing).
    var deleteFlag: String?
    /// A staging-only STRING column `,a,b,` listing the columns a row lacks: matched rows keep them.
    var absentList: String?

    /// `text` if it is a plain identifier, otherwise an error naming its `role` (key, column).
    static func identifier(_ text: String, role: String) throws(DocumentError) -> String {
        guard text.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
            throw DocumentError("\(role) '\(text)' is not a plain column name (letters, digits and '_', not starting with a digit)", code: .value)
        }
        return text
    }

    /// The table back-quoted, after checking that no part can end the quoting.
    static func quoted(_ table: TableReference) throws(DocumentError) -> String {
        guard table.project.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._:\-]*/) != nil,
              table.dataset.wholeMatch(of: /[A-Za-z0-9_]+/) != nil,
              table.table.wholeMatch(of: /[A-Za-z0-9_\-]+/) != nil else {
            throw DocumentError("table '\(table)' has characters an upsert does not accept "
                + "(project: letters, digits, '-', '.', ':'; dataset: letters, digits, '_'; table: letters, digits, '_', '-')", code: .value)
        }
        return table.quoted
    }

    /// Checks every name; throws the first problem.
    init(target: TableReference, staging: TableReference, keys: [String], columns: [String]) throws(DocumentError) {
        self.target = target
        self.staging = staging
        self.keys = []
        self.columns = []
        for key in keys { self.keys.append(try Self.identifier(key, role: "key")) }
        for column in columns { self.columns.append(try Self.identifier(column, role: "column")) }
        guard !self.keys.isEmpty else { throw DocumentError("an upsert needs at least one key column", code: .setting) }
    }

    private var onClause: String {
        keys.map { "T.`\($0)` = S.`\($0)`" }.joined(separator: " AND ")
    }

    /// `MERGE target T USING staging S ON keys WHEN MATCHED THEN UPDATE SET … WHEN NOT MATCHED THEN INSERT …`.
    /// Whole columns are assigned, so nested and repeated columns are replaced as they are.
    func sql() throws(DocumentError) -> String {
        var text = "MERGE \(try Self.quoted(target)) T USING \(try Self.quoted(staging)) S ON \(onClause)"
        let deleteFlag = try deleteFlag.map { (name) throws(DocumentError) in try Self.identifier(name, role: "column") }
        let absentList = try absentList.map { (name) throws(DocumentError) in try Self.identifier(name, role: "column") }
        if let deleteFlag { text += " WHEN MATCHED AND S.`\(deleteFlag)` THEN DELETE" }
        let updated = columns.filter { !keys.contains($0) }
        if updateMatched, !updated.isEmpty {
            text += " WHEN MATCHED THEN UPDATE SET " + updated.map { column in
                // Checked identifiers only, so the name is safe inside the string literal.
                guard let absentList else { return "`\(column)` = S.`\(column)`" }
                return "`\(column)` = IF(STRPOS(S.`\(absentList)`, ',\(column),') > 0, T.`\(column)`, S.`\(column)`)"
            }.joined(separator: ", ")
        }
        text += " WHEN NOT MATCHED" + (deleteFlag.map { " AND NOT S.`\($0)`" } ?? "") + " THEN INSERT (" + columns.map { "`\($0)`" }.joined(separator: ", ")
            + ") VALUES (" + columns.map { "S.`\($0)`" }.joined(separator: ", ") + ")"
        return text
    }

    /// Counts staged rows whose keys already exist in the target (the rows the MERGE will update).
    func matchCountSQL() throws(DocumentError) -> String {
        "SELECT COUNT(*) AS matched FROM \(try Self.quoted(staging)) S WHERE EXISTS "
            + "(SELECT 1 FROM \(try Self.quoted(target)) T WHERE \(onClause))"
    }
}
