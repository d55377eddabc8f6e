import ConveyorBase
import DocumentMapping
import Foundation
import NIOCore
import PostgresNIO
import ProcessEngine
import ProcessModel

/// A parameter's value sent as text in the type it declares (the server parses it, as it parses a
/// literal of that type), or as bytes for `bytea`: values are bound, never written into the SQL.
struct BoundText: PostgresDynamicTypeEncodable {
    var psqlType: PostgresDataType
    var psqlFormat: PostgresFormat
    var bytes: ByteBuffer

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer,
                                                  context: PostgresEncodingContext<JSONEncoder>) {
        var copy = bytes
        byteBuffer.writeBuffer(&copy)
    }
}

/// What `query` and `execute` share: the pool, the statement and its parameters.
struct PostgresStatement: Sendable {
    var settings: PostgresOperationSettings
    var connection: PostgresConnectionSettings

    /// The statement with `document`'s values bound to `$1`, `$2`, …. A profile path that selects
    /// nothing, or `null`, binds NULL.
    func query(for document: inout Document, context: OperationContext) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: settings.parameters.count)
        for (offset, parameter) in settings.parameters.enumerated() {
            guard let text = try value(of: parameter, for: &document, context: context) else {
                if let type = parameter.type {
                    binds.append(PostgresData(type: type.oid, value: nil))
                } else {
                    binds.appendNull()
                }
                continue
            }
            let type = parameter.type?.oid ?? PostgresDataType(0)
            if parameter.type?.isBase64 == true {
                guard let data = Data(base64Encoded: text.trimming(.whitespacesAndNewlines)) else {
                    throw DocumentError("parameter $\(offset + 1) (bytea) of document \(document.index) is not base64 text",
                                        code: .value)
                }
                binds.append(BoundText(psqlType: .bytea, psqlFormat: .binary, bytes: ByteBuffer(bytes: data)))
            } else {
                binds.append(BoundText(psqlType: type, psqlFormat: .text, bytes: ByteBuffer(string: text)))
            }
        }
        return PostgresQuery(unsafeSQL: settings.sql, binds: binds)
    }

    private func value(of parameter: PostgresParameter, for document: inout Document,
                       context: OperationContext) throws -> String? {
        if parameter.value.parts.count == 1, case .profile(let pathText) = parameter.value.parts[0] {
            let path: DocumentPath
            do { path = try DocumentPath(pathText) } catch {
                throw DocumentError("\(parameter.value.location): '\(pathText)' is not a valid path", code: .path)
            }
            let found = path.values(in: try document.json()).compactMap(\.textValue)
            return found.isEmpty ? nil : found.joined(separator: ",")
        }
        return try context.evaluate(parameter.value, for: &document)
    }

    /// A failure of the statement, naming the operation and server, with the server's message.
    func failure(_ error: any Error) -> PostgresConnectorError {
        if let known = error as? PostgresConnectorError { return known }
        return PostgresConnectorError("operation '\(settings.id)' on \(connection.address): "
                                      + PostgresPool.describe(error))
    }
}

/// `action="query"`: one JSON document per row, streamed and handed over in chunks.
final class PostgresQueryOperation: ConnectorOperation {
    let statement: PostgresStatement
    let pool: PostgresPool

    init(statement: PostgresStatement, pool: PostgresPool) {
        self.statement = statement
        self.pool = pool
    }

    var readsWithoutSideEffects: Bool { false }

    /// As a start shape: runs once, parameters from process properties, execution and environment.
    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        var empty = Document(data: Array("{}".utf8))
        let query = try statement.query(for: &empty, context: context)
        do {
            try await run(query, chunkSize: context.chunkSize, properties: [:], index: 0, emit: emit)
        } catch let error as EmitFailure {
            throw error.underlying
        }
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var rows: [Document] = []
        let outcome = try await execute(documents, context: context, emit: { rows.append(contentsOf: $0) })
        return OperationOutcome(outputs: rows + outcome.outputs, failures: outcome.failures)
    }

    /// As a connector shape: runs once per document, parameters from that document; the outputs
    /// are the rows, each with the properties of the document that asked for it.
    func execute(_ documents: [Document], context: OperationContext,
                 emit: ([Document]) async throws -> Void) async throws -> OperationOutcome {
        var failures: [DocumentFailure] = []
        for var document in documents {
            let query: PostgresQuery
            do {
                query = try statement.query(for: &document, context: context)
            } catch {
                failures.append(DocumentFailure(document: document, error: error))
                continue
            }
            do {
                try await run(query, chunkSize: context.chunkSize, properties: document.properties,
                              index: document.index, emit: emit)
            } catch let error as EmitFailure {
                throw error.underlying
            } catch {
                failures.append(DocumentFailure(document: document, message: "\(error)", code: .connector))
            }
        }
        return OperationOutcome(outputs: [], failures: failures)
    }

    /// A failure of the process downstream, passed through untouched.
    struct EmitFailure: Error { var underlying: any Error }

    private func run(_ query: PostgresQuery, chunkSize: Int, properties: [String: String], index: Int,
                     emit: ([Document]) async throws -> Void) async throws {
        let connection = try await pool.acquire()
        do {
            try await stream(query, on: connection, chunkSize: max(1, chunkSize), properties: properties,
                             index: index, emit: emit)
            await pool.release(connection)
        } catch {
            // A result left unread would hold the connection: a failed read closes it.
            if !connection.isClosed { try? await connection.close() }
            await pool.release(connection)
            throw error
        }
    }

    /// Reads the result through a cursor, `chunkSize` rows per FETCH, handing each chunk on
    /// between fetches: the server sends a chunk and waits, idle, for the next FETCH, instead of
    /// waiting blocked on a full socket while the process works (where it would not even take part
    /// in another session's DROP DATABASE). A statement that cannot be a cursor's (`INSERT …
    /// RETURNING`, a data-modifying WITH) streams through postgres-nio's row sequence instead.
    private func stream(_ query: PostgresQuery, on connection: PostgresConnection, chunkSize: Int,
                        properties: [String: String], index: Int, emit: ([Document]) async throws -> Void) async throws {
        var writer = RowWriter(properties: properties, index: index, chunkSize: chunkSize)
        do {
            if PostgresStatement.mayBeCursor(statement.settings.sql) {
                try await PostgresStatement.run("BEGIN", on: connection)
                var declare = query
                declare.sql = "DECLARE conveyor_rows NO SCROLL CURSOR FOR " + query.sql
                var declared = true
                do {
                    for try await _ in try await connection.query(declare, logger: PostgresPool.logger) {}
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "0A000" {
                    declared = false
                    try await PostgresStatement.run("ROLLBACK", on: connection)
                    try await streamRows(query, on: connection, writer: &writer, emit: emit)
                }
                if declared {
                    let fetch = PostgresQuery(unsafeSQL: "FETCH \(chunkSize) FROM conveyor_rows")
                    while true {
                        var fetched = 0
                        for try await row in try await connection.query(fetch, logger: PostgresPool.logger) {
                            try writer.append(row)
                            fetched += 1
                        }
                        if fetched < chunkSize { break }
                        try await handOver(&writer, emit: emit)
                    }
                    try await PostgresStatement.run("CLOSE conveyor_rows", on: connection)
                    try await PostgresStatement.run("COMMIT", on: connection)
                }
            } else {
                try await streamRows(query, on: connection, writer: &writer, emit: emit)
            }
        } catch let error as EmitFailure {
            throw error
        } catch {
            throw statement.failure(error)
        }
        try await handOver(&writer, emit: emit)
    }

    /// Hands the rows written so far on; a failure downstream comes back as ``EmitFailure``.
    private func handOver(_ writer: inout RowWriter, emit: ([Document]) async throws -> Void) async throws {
        guard !writer.chunk.isEmpty else { return }
        do { try await emit(writer.chunk) } catch { throw EmitFailure(underlying: error) }
        writer.chunk.removeAll(keepingCapacity: true)
    }

    /// The result as postgres-nio's row sequence (it stops reading the socket while a chunk is handed on).
    private func streamRows(_ query: PostgresQuery, on connection: PostgresConnection, writer: inout RowWriter,
                            emit: ([Document]) async throws -> Void) async throws {
        for try await row in try await connection.query(query, logger: PostgresPool.logger) {
            try writer.append(row)
            if writer.chunk.count >= writer.chunkSize { try await handOver(&writer, emit: emit) }
        }
    }

    func close() async { await pool.close() }
}

/// `action="execute"`: the statement once per document, `batchCount` documents per transaction;
/// a document whose statement fails is rolled back to its savepoint and fails alone.
final class PostgresExecuteOperation: ConnectorOperation {
    let statement: PostgresStatement
    let pool: PostgresPool

    init(statement: PostgresStatement, pool: PostgresPool) {
        self.statement = statement
        self.pool = pool
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var outputs: [Document] = []
        var failures: [DocumentFailure] = []
        var start = documents.startIndex
        while start < documents.endIndex {
            let end = min(start + statement.settings.batchCount, documents.endIndex)
            let outcome = await batch(documents[start..<end], context: context)
            outputs += outcome.outputs
            failures += outcome.failures
            start = end
        }
        return OperationOutcome(outputs: outputs, failures: failures)
    }

    /// One transaction for the batch; a failure of the transaction itself fails all its documents.
    private func batch(_ documents: ArraySlice<Document>, context: OperationContext) async -> OperationOutcome {
        var prepared: [(Document, PostgresQuery)] = []
        var failures: [DocumentFailure] = []
        for var document in documents {
            do {
                let query = try statement.query(for: &document, context: context)
                prepared.append((document, query))
            } catch {
                failures.append(DocumentFailure(document: document, error: error))
            }
        }
        guard !prepared.isEmpty else { return OperationOutcome(outputs: [], failures: failures) }
        let connection: PostgresConnection
        do {
            connection = try await pool.acquire()
        } catch {
            let message = statement.failure(error).message
            failures += prepared.map { DocumentFailure(document: $0.0, message: message, code: .unavailable) }
            return OperationOutcome(outputs: [], failures: failures)
        }
        var written: [Document] = []
        do {
            try await PostgresStatement.run("BEGIN", on: connection)
            for (document, query) in prepared {
                try await PostgresStatement.run("SAVEPOINT conveyor_document", on: connection)
                do {
                    for try await _ in try await connection.query(query, logger: PostgresPool.logger) {}
                    try await PostgresStatement.run("RELEASE SAVEPOINT conveyor_document", on: connection)
                    written.append(document)
                } catch let error as PSQLError where error.serverInfo != nil {
                    try await PostgresStatement.run("ROLLBACK TO SAVEPOINT conveyor_document", on: connection)
                    failures.append(DocumentFailure(document: document, message: statement.failure(error).message,
                                                    code: .rejected))
                }
            }
            try await PostgresStatement.run("COMMIT", on: connection)
        } catch {
            if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: PostgresPool.logger) }
            await pool.release(connection)
            let message = "the transaction of \(prepared.count) documents was rolled back: \(statement.failure(error).message)"
            failures += prepared.map { DocumentFailure(document: $0.0, message: message, code: .unavailable) }
            return OperationOutcome(outputs: [], failures: failures)
        }
        await pool.release(connection)
        return OperationOutcome(outputs: written, failures: failures)
    }

    func close() async { await pool.close() }
}

/// Turns result rows into JSON documents: `{"column":value,…}`, the keys written once per result.
struct RowWriter {
    var properties: [String: String]
    var index: Int
    var chunkSize: Int
    var chunk: [Document] = []
    private var keys: [[UInt8]] = []

    init(properties: [String: String], index: Int, chunkSize: Int) {
        self.properties = properties
        self.index = index
        self.chunkSize = chunkSize
        chunk.reserveCapacity(chunkSize)
    }

    mutating func append(_ row: PostgresRow) throws(PostgresConnectorError) {
        var data: [UInt8] = []
        data.reserveCapacity(64)
        data.append(UInt8(ascii: "{"))
        for cell in row {
            if keys.count <= cell.columnIndex {
                var key: [UInt8] = []
                PostgresJSONWriter.appendString(cell.columnName, to: &key)
                key.append(UInt8(ascii: ":"))
                keys.append(key)
            }
            if cell.columnIndex > 0 { data.append(UInt8(ascii: ",")) }
            data.append(contentsOf: keys[cell.columnIndex])
            try PostgresJSONWriter.append(cell, to: &data)
        }
        data.append(UInt8(ascii: "}"))
        chunk.append(Document(data: data, properties: properties, index: index))
    }
}

extension PostgresStatement {
    /// Whether the statement may be a cursor's: it starts with SELECT, VALUES, TABLE or WITH
    /// (after white space and comments).
    static func mayBeCursor(_ sql: String) -> Bool {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: \.isWhitespace)
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        let word = rest.prefix(while: \.isLetter).uppercased()
        return ["SELECT", "VALUES", "TABLE", "WITH"].contains(word)
    }

    /// Runs a statement without parameters, reading its result to the end.
    static func run(_ sql: String, on connection: PostgresConnection) async throws {
        for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresPool.logger) {}
    }
}
