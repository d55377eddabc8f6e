import Foundation
import PostgresConnector
import ProcessEngine
import ProcessModel
import Testing
import TestSupport

/// `action="query"` against a real PostgreSQL 15: the JSON of every type, streaming, and
/// parameters per document.
@Suite struct PostgresQueryTests {
    @Test func everyTypeBecomesItsJSONValue() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("""
            CREATE TABLE t (i2 smallint, i4 integer, i8 bigint, n numeric, f4 real, f8 double precision, b boolean,
              t text, v varchar(10), c char(3), ts timestamptz, tsl timestamp, d date, j json, jb jsonb, u uuid,
              bt bytea, ai integer[], atx text[], an numeric[], a2 int8[][], nul text, tm time);
            SET TIME ZONE 'Europe/Paris';
            INSERT INTO t VALUES (-32768, 2147483647, 9223372036854775807, 12345678901234567890.123456789, 1.5, 0.1,
              true, 'a "quoted"\\ line' || chr(10) || 'two', 'vé', 'ab', '2024-05-01 12:30:45.123456+02',
              '2024-05-01 12:30:45', '1999-12-31', '{"a": [1, 2.50]}', '{"b": {"c": null}}',
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff41', '{1,NULL,3}', '{"x","y z"}', '{0.10,-7}',
              '{{1,2},{3,4}}', NULL, '08:05:03.25');
            INSERT INTO t (n, f8, d, ts) VALUES (-0.000001, -1e300, '2000-01-01', '1969-07-20 20:17:40Z');
            """)
        let query = try await makeOperation(database.connection(), operation("query", sql: "SELECT * FROM t ORDER BY i2"))
        let (rows, _) = try await readAll(query, context: context())
        await query.close()
        #expect(rows.count == 2)
        #expect(rows.first == """
            {"i2":-32768,"i4":2147483647,"i8":9223372036854775807,"n":12345678901234567890.123456789,"f4":1.5,\
            "f8":0.1,"b":true,"t":"a \\"quoted\\"\\\\ line\\ntwo","v":"vé","c":"ab ","ts":"2024-05-01T10:30:45.123456Z",\
            "tsl":"2024-05-01T12:30:45","d":"1999-12-31","j":{"a": [1, 2.50]},"jb":{"b": {"c": null}},\
            "u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","bt":"AP9B","ai":[1,null,3],"atx":["x","y z"],\
            "an":[0.10,-7],"a2":[[1,2],[3,4]],"nul":null,"tm":"08:05:03.250000"}
            """)
        #expect(rows.last?.contains(#""n":-0.000001,"#) == true)
        #expect(rows.last?.contains(#""f8":-1e+300,"#) == true)
        #expect(rows.last?.contains(#""ts":"1969-07-20T20:17:40Z""#) == true)
        #expect(rows.last?.contains(#""d":"2000-01-01""#) == true)
        // Every row is valid JSON.
        for row in rows { _ = try JSONSerialization.jsonObject(with: Data(row.utf8)) }
    }

    @Test func numericKeepsEveryDigit() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let query = try await makeOperation(database.connection(), operation("query", sql: """
            SELECT 12345678901234567890.123456789::numeric AS a, 100000::numeric AS b, 0.5::numeric AS c,
              0::numeric AS d, 1.000::numeric AS e, -98765432109876543210987654321::numeric AS f,
              0.00001234::numeric AS g, 'NaN'::numeric AS h, 10000.0001::numeric AS i
            """))
        let (rows, _) = try await readAll(query, context: context())
        await query.close()
        #expect(rows == [#"{"a":12345678901234567890.123456789,"b":100000,"c":0.5,"d":0,"e":1.000,"#
            + #""f":-98765432109876543210987654321,"g":0.00001234,"h":"NaN","i":10000.0001}"#])
    }

    @Test func aColumnOfAnUnreadTypeNamesItAndTheCast() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let query = try await makeOperation(database.connection(), operation("query", sql: "SELECT interval '1 day' AS span"))
        let error = await #expect(throws: PostgresConnectorError.self) { _ = try await readAll(query, context: context()) }
        #expect(error?.message.contains("column 'span' has type") == true)
        #expect(error?.message.contains("span::text") == true)
        await query.close()
    }

    @Test func a100000RowResultIsStreamedInChunks() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let query = try await makeOperation(database.connection(), operation(
            "query", sql: "SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 100000) g"))
        var chunks: [Int] = []
        var total = 0
        var last = 0
        try await query.read(context: context(chunkSize: 1_000)) { documents in
            chunks.append(documents.count)
            for document in documents {
                total += 1
                let object = try JSONSerialization.jsonObject(with: Data(document.data)) as? [String: Any]
                last = object?["n"] as? Int ?? -1
            }
        }
        await query.close()
        #expect(total == 100_000)
        #expect(last == 100_000)
        #expect(chunks.count == 100)
        #expect(chunks.allSatisfy { $0 == 1_000 })
    }

    /// The server sends a chunk per FETCH and waits, idle, while the process works on it: nothing
    /// piles up in the server's socket or in the client, and the session is not stuck in a send
    /// (where it would not answer, for instance, the barrier another session's DROP DATABASE waits for).
    @Test func betweenChunksTheServerWaitsIdleForTheNextFetch() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let query = try await makeOperation(database.connection(), operation(
            "query", sql: "SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, 20000) g"))
        var states: [String] = []
        var rows = 0
        try await query.read(context: context(chunkSize: 1_000)) { documents in
            rows += documents.count
            guard rows == 1_000 || rows == 10_000 else { return }
            // Time for the server to send all it could.
            try await Task.sleep(for: .milliseconds(300))
            states.append(try database.psql("""
                SELECT state || ': ' || query FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'conveyor'
                """))
        }
        await query.close()
        #expect(rows == 20_000)
        #expect(states == Array(repeating: "idle in transaction: FETCH 1000 FROM conveyor_rows", count: 2))
    }

    @Test func aStatementThatCannotBeACursorStillStreams() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("CREATE TABLE t (id int)")
        let insert = try await makeOperation(database.connection(), operation(
            "query", sql: "INSERT INTO t SELECT generate_series(1, 2500) RETURNING id"))
        let inserted = try await readAll(insert, context: context(chunkSize: 1_000))
        await insert.close()
        #expect(inserted.rows.count == 2_500)
        #expect(inserted.chunks == [1_000, 1_000, 500])
        let delete = try await makeOperation(database.connection(), operation(
            "query", sql: "/* moves rows */ WITH gone AS (DELETE FROM t WHERE id <= 3 RETURNING id) SELECT id FROM gone ORDER BY id"))
        #expect(try await readAll(delete, context: context()).rows == [#"{"id":1}"#, #"{"id":2}"#, #"{"id":3}"#])
        await delete.close()
        #expect(try database.psql("SELECT count(*) FROM t") == "2497")
    }

    @Test func asAConnectorShapeItRunsOncePerDocument() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("CREATE TABLE c (id bigint, tier text); INSERT INTO c VALUES (1, 'gold'), (2, 'silver'), (3, 'gold')")
        let query = try await makeOperation(database.connection(), operation(
            "query", sql: "SELECT id FROM c WHERE tier = $1 ORDER BY id", parameters: [pathParameter("text", "/tier")]))
        var inputs = [document(#"{"tier":"gold"}"#, index: 0), document(#"{"tier":"none"}"#, index: 1),
                      document(#"{"tier":"silver"}"#, index: 2), document("not json", index: 3)]
        inputs[0].properties["origin"] = "first"
        var emitted: [Document] = []
        let outcome = try await query.execute(inputs, context: context()) { emitted += $0 }
        await query.close()
        #expect(emitted.map(\.text) == [#"{"id":1}"#, #"{"id":3}"#, #"{"id":2}"#])
        #expect(emitted.map(\.index) == [0, 0, 2])
        #expect(emitted.first?.properties["origin"] == "first")
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.map(\.document.index) == [3])
    }

    @Test func aStartShapeBindsProcessProperties() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("""
            CREATE TABLE c (id int, updated_at timestamptz);
            INSERT INTO c VALUES (1, '2024-01-01Z'), (2, '2024-06-01Z'), (3, '2025-01-01Z')
            """)
        let query = try await makeOperation(database.connection(), operation(
            "query", sql: "SELECT id FROM c WHERE updated_at > $1 ORDER BY id",
            parameters: [parameter("timestamptz", ["source": "process", "property": "lastRun"])]))
        let (rows, _) = try await readAll(query, context: context(properties: ["lastRun": "2024-03-01T00:00:00Z"]))
        await query.close()
        #expect(rows == [#"{"id":2}"#, #"{"id":3}"#])
    }
}
