import Testing
@testable import ExecutionStore

/// The text of the statements the store writes for many rows at once.
@Suite struct StatementTextTests {
    /// The VALUES list as it was first written, with string interpolation: the reference.
    static func reference(rows: Int, columns: Int) -> String {
        var text = ""
        var parameter = 1
        for row in 0..<rows {
            text += row == 0 ? "(" : ", ("
            for column in 0..<columns {
                if column > 0 { text += ", " }
                text += "?\(parameter)"
                parameter += 1
            }
            text += ")"
        }
        return text
    }

    @Test("the VALUES list numbers every parameter once, in order, across 9 → 10, 99 → 100 and on to 30,000")
    func valuesList() {
        #expect(StoreConnectionValues.list(rows: 2, columns: 2) == "(?1, ?2), (?3, ?4)")
        #expect(StoreConnectionValues.list(rows: 1, columns: 1) == "(?1)")
        #expect(StoreConnectionValues.list(rows: 0, columns: 3) == "")
        for (rows, columns) in [(1, 9), (1, 10), (5, 2), (9, 11), (100, 11), (91, 11), (2_727, 11), (3_750, 8), (30_000, 1)] {
            #expect(StoreConnectionValues.list(rows: rows, columns: columns) == Self.reference(rows: rows, columns: columns),
                    "\(rows) rows of \(columns)")
        }
    }
}
