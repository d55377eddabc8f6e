import DocumentMapping
import ProcessEngine

/// What a document asks of a `<uniqueConstraints>` MERGE: its operation, read from the document
/// property `op` (as change-data-capture sources set it), and its key columns.
struct StorageMergeChange: Sendable, Equatable {
    enum Op: Sendable, Equatable {
        /// No `op` (or `insert`): a whole row; its REQUIRED columns are checked.
        case insert
        /// `update`: the members the row carries; columns it lacks keep their values.
        case update
        /// `delete`: the row of its key is deleted; the body needs only the key columns.
        case delete
        /// `truncate`: the table is emptied, and the batch's earlier rows for it are dropped.
        case truncate
    }

    /// The document property naming the operation.
    static let property = "op"

    var op: Op
    /// The key columns (empty for a truncate).
    var keys: [String]
    /// The document is a captured change (see ``isCaptured(_:)``).
    var isChange = false

    /// A change read from a database by change data capture: it carries `op` and `lsn`, as a
    /// `<cdc>` start shape's documents do. Its columns the table lacks are not dropped unseen.
    static func isCaptured(_ document: Document) -> Bool {
        document.property(property) != nil && document.property("lsn") != nil
    }

    /// The operation of `document`; an unknown value is an error naming the document.
    static func op(of document: Document) throws(DocumentError) -> Op {
        guard let text = document.property(property) else { return .insert }
        switch text.lowercased() {
        case "", "insert": return .insert
        case "update": return .update
        case "delete": return .delete
        case "truncate": return .truncate
        default:
            throw DocumentError("document \(document.index): property \(property) is '\(text)': "
                + "use insert, update, delete or truncate", code: .value)
        }
    }
}

/// The rows of one table and key set folded per key in batch order: an insert or update lays
/// the columns it carries over the key's earlier state in the batch, a delete makes the state a
/// delete, and a row after a delete starts over. What remains is one staging row per key.
struct StorageMergeFold: Sendable {
    struct State: Sendable, Equatable {
        /// Column (as the table names it) → value; `.null` for a column carried as null.
        var values: [String: JSONValue]
        var deleted: Bool
        /// A delete came earlier in the batch: the row starts over, so the columns it lacks are
        /// NULL rather than kept.
        var reset: Bool
        /// The positions (in the group) of the rows folded into this state.
        var rows: [Int]
    }

    private(set) var states: [State] = []
    private var byKey: [[UInt8]: Int] = [:]

    /// Folds one row: `values` holds the columns it carries (table names; `.null` when carried as null).
    mutating func apply(key: [UInt8], op: StorageMergeChange.Op, values: [String: JSONValue], row: Int) {
        guard let index = byKey[key] else {
            byKey[key] = states.count
            states.append(State(values: values, deleted: op == .delete, reset: false, rows: [row]))
            return
        }
        states[index].rows.append(row)
        if op == .delete {
            states[index].values = values
            states[index].deleted = true
            states[index].reset = false
        } else if states[index].deleted {
            states[index].values = values
            states[index].deleted = false
            states[index].reset = true
        } else {
            states[index].values.merge(values) { _, new in new }
        }
    }

    /// The columns the MERGE assigns: those any remaining row carries, or all of `columns` when a
    /// row starts over after a delete (its missing columns become NULL). In `columns`' order.
    func assigned(columns: [String]) -> [String] {
        let rows = states.filter { !$0.deleted }
        if rows.contains(where: \.reset) { return columns }
        var carried: Set<String> = []
        for state in rows { carried.formUnion(state.values.keys) }
        return columns.filter { carried.contains($0) }
    }

    /// One staging row per key, as JSON lines: the values (nulls left out), `deleteFlag` true for
    /// a delete, and for a row that does not start over `absentList` as `,a,b,`: the assigned
    /// columns it lacks, which the MERGE leaves as they are (see ``MergeStatement``).
    func stagingRows(columns: [String], assigned: [String], keys: [String],
                     deleteFlag: String, absentList: String) -> [UInt8] {
        let keySet = Set(keys)
        var data: [UInt8] = []
        for state in states {
            var object = JSONObject()
            for column in columns {
                if let value = state.values[column], !value.isNull { object[column] = value }
            }
            object[deleteFlag] = .bool(state.deleted)
            if !state.deleted, !state.reset {
                let absent = assigned.filter { !keySet.contains($0) && state.values[$0] == nil }
                if !absent.isEmpty { object[absentList] = .string("," + absent.joined(separator: ",") + ",") }
            }
            data += JSONValue.object(object).serialized() + [UInt8(ascii: "\n")]
        }
        return data
    }

    /// A name for a staging-only column that no column of the table takes (`base`, then `base_`, …).
    static func freeName(_ base: String, avoiding columns: [String]) -> String {
        let taken = Set(columns.map { $0.lowercased() })
        var name = base
        while taken.contains(name.lowercased()) { name += "_" }
        return name
    }
}
