import Foundation
import Testing

/// `conveyor tracked search` compares `number` fields as numbers: `1.0`, `1`, `1e0` and `01` meet.
@Suite("tracked search of number fields")
struct TrackedSearchEndToEndTests {
    @Test("values recorded as 1.0, 01 and 1e0 are found by 1, and 1 by 1.0")
    func numbersAreNormalised() throws {
        let root = try Harness.trackingWorkspace("tracked-number", fields: [("amount", "number"), ("code", "character")])
        try """
            {"amount": "1.0", "code": "01"}
            {"amount": "01", "code": "1"}
            {"amount": "1e0", "code": "x"}
            {"amount": "1", "code": "y"}
            {"amount": "2", "code": "z"}
            """.write(toFile: root + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "track", "--workspace", root])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        for query in ["1", "1.0", "1e0", "01", "1.000"] {
            let search = try Harness.conveyor(["tracked", "search", "--field", "amount=\(query)", "--json", "--workspace", root])
            #expect(search.status == 0, "\(search.stderr)")
            let matches = try #require(try Harness.json(search.stdout) as? [[String: Any]], "\(search.stdout)")
            #expect(matches.count == 4, "amount=\(query): \(search.stdout)")
            #expect(matches.allSatisfy { $0["value"] as? String == "1" }, "\(search.stdout)")
        }
        let two = try Harness.conveyor(["tracked", "search", "--field", "amount=2.0", "--json", "--workspace", root])
        #expect((try Harness.json(two.stdout) as? [[String: Any]])?.count == 1, "\(two.stdout)")
        // A character field keeps its text: "01" is found as written.
        let code = try Harness.conveyor(["tracked", "search", "--field", "code=01", "--json", "--workspace", root])
        let codes = try #require(try Harness.json(code.stdout) as? [[String: Any]], "\(code.stdout)")
        #expect(codes.map { $0["value"] as? String } == ["01"], "\(code.stdout)")
    }
}
