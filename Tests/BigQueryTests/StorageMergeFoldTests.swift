@testable import BigQuery
import DocumentMapping
import ProcessEngine
import Testing

/// Change rows folded per key for a `<uniqueConstraints>` MERGE, the staging rows and the SQL.
@Suite struct StorageMergeFoldTests {
    static let columns = ["id", "small", "big", "note"]

    static func key(_ id: Int) -> [UInt8] { JSONValue.number(String(id)).serialized() + [0] }

    static func lines(_ fold: StorageMergeFold, assigned: [String]) throws -> [JSONValue] {
        let data = fold.stagingRows(columns: columns, assigned: assigned, keys: ["id"],
                                    deleteFlag: "_conveyor_delete", absentList: "_conveyor_absent")
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test("an update carrying only one column overlays the earlier state: both columns are kept")
    func updatesOverlay() throws {
        var fold = StorageMergeFold()
        fold.apply(key: Self.key(1), op: .insert, values: ["id": 1, "small": "a", "big": "B1"], row: 0)
        fold.apply(key: Self.key(1), op: .update, values: ["id": 1, "big": "B2"], row: 1)
        fold.apply(key: Self.key(1), op: .update, values: ["id": 1, "small": "s"], row: 2)
        #expect(fold.states.count == 1)
        #expect(fold.states[0].values == ["id": 1, "small": "s", "big": "B2"])
        #expect(fold.states[0].rows == [0, 1, 2])
        let assigned = fold.assigned(columns: Self.columns)
        #expect(assigned == ["id", "small", "big"])
        let rows = try Self.lines(fold, assigned: assigned)
        #expect(rows == [["id": 1, "small": "s", "big": "B2", "_conveyor_delete": false]])
    }

    @Test("a delete resets the state; an insert after it starts over and assigns every column")
    func deleteThenInsertStartsOver() throws {
        var fold = StorageMergeFold()
        fold.apply(key: Self.key(1), op: .update, values: ["id": 1, "big": "old"], row: 0)
        fold.apply(key: Self.key(1), op: .delete, values: ["id": 1], row: 1)
        #expect(fold.states[0].deleted)
        #expect(try Self.lines(fold, assigned: fold.assigned(columns: Self.columns)) == [["id": 1, "_conveyor_delete": true]])
        fold.apply(key: Self.key(1), op: .insert, values: ["id": 1, "small": "new"], row: 2)
        fold.apply(key: Self.key(2), op: .update, values: ["id": 2, "note": "n"], row: 3)
        #expect(fold.states[0] == .init(values: ["id": 1, "small": "new"], deleted: false, reset: true, rows: [0, 1, 2]))
        let assigned = fold.assigned(columns: Self.columns)
        #expect(assigned == Self.columns, "a row starting over sets the columns it lacks to NULL")
        let rows = try Self.lines(fold, assigned: assigned)
        #expect(rows[0] == ["id": 1, "small": "new", "_conveyor_delete": false])
        #expect(rows[1] == ["id": 2, "note": "n", "_conveyor_delete": false, "_conveyor_absent": ",small,big,"])
    }

    @Test("absent columns are listed per row; a column carried as null is assigned, not absent")
    func absentColumns() throws {
        var fold = StorageMergeFold()
        fold.apply(key: Self.key(1), op: .update, values: ["id": 1, "small": "x"], row: 0)
        fold.apply(key: Self.key(2), op: .update, values: ["id": 2, "big": .null], row: 1)
        fold.apply(key: Self.key(3), op: .delete, values: ["id": 3], row: 2)
        let assigned = fold.assigned(columns: Self.columns)
        #expect(assigned == ["id", "small", "big"], "note is carried by no row: left out of the MERGE")
        let rows = try Self.lines(fold, assigned: assigned)
        #expect(rows == [["id": 1, "small": "x", "_conveyor_delete": false, "_conveyor_absent": ",big,"],
                         ["id": 2, "_conveyor_delete": false, "_conveyor_absent": ",small,"],
                         ["id": 3, "_conveyor_delete": true]])
    }

    @Test("staging-only columns take a name no column of the table has")
    func freeNames() {
        #expect(StorageMergeFold.freeName("_conveyor_delete", avoiding: ["id"]) == "_conveyor_delete")
        #expect(StorageMergeFold.freeName("_conveyor_delete", avoiding: ["_Conveyor_Delete", "_conveyor_delete_"]) == "_conveyor_delete__")
    }

    @Test("the MERGE deletes flagged rows, keeps absent columns and inserts only rows not flagged")
    func mergeSQL() throws {
        let target = TableReference(project: "demo", dataset: "public", table: "orders")
        let staging = TableReference(project: "demo", dataset: "public", table: "orders_staging")
        var merge = try MergeStatement(target: target, staging: staging, keys: ["tenant", "id"], columns: ["tenant", "id", "a"])
        merge.deleteFlag = "_conveyor_delete"
        merge.absentList = "_conveyor_absent"
        #expect(try merge.sql() == "MERGE `demo.public.orders` T USING `demo.public.orders_staging` S "
            + "ON T.`tenant` = S.`tenant` AND T.`id` = S.`id` WHEN MATCHED AND S.`_conveyor_delete` THEN DELETE "
            + "WHEN MATCHED THEN UPDATE SET `a` = IF(STRPOS(S.`_conveyor_absent`, ',a,') > 0, T.`a`, S.`a`) "
            + "WHEN NOT MATCHED AND NOT S.`_conveyor_delete` THEN INSERT (`tenant`, `id`, `a`) VALUES (S.`tenant`, S.`id`, S.`a`)")
        merge.updateMatched = false
        #expect(try merge.sql().contains("WHEN MATCHED AND S.`_conveyor_delete` THEN DELETE WHEN NOT MATCHED AND NOT"))
        merge.absentList = "x', 'y"
        #expect(throws: DocumentError.self) { try merge.sql() }
    }

    @Test("the staging table has NULLABLE columns and the two flag columns")
    func stagingFields() {
        let fields: [JSONValue] = [["name": "id", "type": "INT64", "mode": "REQUIRED"], ["name": "a", "type": "STRING"]]
        let staged = UpsertDataOperation.stagingFields(fields, flags: .init(delete: "_conveyor_delete", absent: "_conveyor_absent"))
        #expect(staged == [["name": "id", "type": "INT64", "mode": "NULLABLE"], ["name": "a", "type": "STRING"],
                           ["name": "_conveyor_delete", "type": "BOOL", "mode": "NULLABLE"],
                           ["name": "_conveyor_absent", "type": "STRING", "mode": "NULLABLE"]])
    }

    @Test("op is read from the document property; an unknown op names the document")
    func ops() throws {
        #expect(try StorageMergeChange.op(of: Document(json: [:])) == .insert)
        #expect(try StorageMergeChange.op(of: Document(json: [:], properties: ["op": "DELETE"])) == .delete)
        #expect(try StorageMergeChange.op(of: Document(json: [:], properties: ["op": "truncate"])) == .truncate)
        #expect(try StorageMergeChange.op(of: Document(json: [:], properties: ["op": "update"])) == .update)
        #expect(throws: DocumentError.self) { try StorageMergeChange.op(of: Document(json: [:], properties: ["op": "upsert"], index: 7)) }
        do {
            _ = try StorageMergeChange.op(of: Document(json: [:], properties: ["op": "upsert"], index: 7))
        } catch {
            #expect("\(error)".contains("document 7"))
        }
    }

    @Test("an update or delete may lack REQUIRED columns; an insert may not")
    func partialPreparation() throws {
        let schema = StorageSchema(fields: [
            .init(name: "id", kind: .int64, mode: .required, fields: [], number: 1),
            .init(name: "name", kind: .string, mode: .required, fields: [], number: 2),
        ])
        let preparer = StorageRowPreparer(schema: schema, table: "demo.public.t")
        #expect(try preparer.prepare(["id": "3"], partial: true) == ["id": 3])
        #expect(throws: DocumentError.self) { try preparer.prepare(["id": 3]) }
        #expect(throws: DocumentError.self) { try preparer.prepare(["id": 3, "name": .null], partial: true) }
    }
}
