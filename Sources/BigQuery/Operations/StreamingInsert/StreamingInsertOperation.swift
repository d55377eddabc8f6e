import ConveyorBase
import DocumentMapping
import ProcessEngine

/// `action="streaming-insert"` over `tabledata.insertAll`: one row per document, batched per
/// destination table, with per-row errors mapped back to the documents that caused them.
///
/// It takes a batch handed over (``InPlaceConnectorOperation``): it never throws (every error is a
/// document's) and dead-letters nothing, so the engine need keep no copy of the batch.
struct StreamingInsertOperation: InPlaceConnectorOperation {
    let settings: StreamingInsertSettings
    let rest: BigQueryREST
    /// Requests in flight at once for one batch of documents.
    var concurrency = 4

    /// Where a document goes: project, dataset, table and template suffix.
    struct Destination: Hashable, Sendable {
        var project: String
        var dataset: String
        var table: String
        var suffix: String?
        var name: String { "\(project).\(dataset).\(table)" }
        /// The values of ``TableReference/propertyNames`` for this destination.
        var propertyValues: [String] { [project, dataset, table] }
    }

    /// The rows' insert ids: none, generated (the execution id, `-`, the document's index, kept as
    /// one shared prefix and each document's number), or read from a path (one value per position).
    enum RowIDs: Sendable {
        case none
        case generated(PrefixedPropertyName)
        case values([String?])

        static let property = "bigquery.insertId"
    }

    /// Rows of one request, by position in the batch.
    struct Request: Sendable {
        var destination: Destination
        var positions: [Int]
        var body: [UInt8]
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        await insert(documents, context: context)
    }

    func executeInPlace(_ documents: inout [Document], context: OperationContext) async throws -> OperationOutcome {
        var batch: [Document] = []
        swap(&batch, &documents)
        return await insert(consume batch, context: context)
    }

    /// Inserts the rows of `documents` (the batch itself or a copy): every error is a document's,
    /// in the outcome, so nothing is thrown.
    private func insert(_ documents: consuming [Document], context: OperationContext) async -> OperationOutcome {
        var failures: [Int: String] = [:]
        var codes: [Int: DocumentError.Code] = [:]
        // The destinations in order of first use, the positions of each, and each position's
        // destination (-1: none): one lookup per row only when rows go to several tables.
        var order: [Destination] = []
        var positionsByGroup: [[Int]] = []
        var groupOf = [Int](repeating: -1, count: documents.count)
        var groupByDestination: [Destination: Int] = [:]
        var resolver = DestinationResolver(settings: settings)
        var pathIDs: [String?] = []
        if case .path = settings.insertID { pathIDs = Array(repeating: nil, count: documents.count) }
        // One destination for the whole batch when no setting reads a document property: found
        // once, and every row's group is 0, without a copy or a comparison of the destination a
        // row. One that cannot be found fails each row below with its error.
        let constant = resolver.perDocument || documents.isEmpty ? nil
            : try? resolver.destination(for: documents[0], context: context)
        // Tested once: comparing the optional with nil in the loop would copy the destination each time.
        let oneDestination = constant != nil
        if let constant {
            order = [constant]
            positionsByGroup = [[]]
            groupByDestination[constant] = 0
        }
        for position in documents.indices {
            do {
                let group: Int
                if oneDestination {
                    try check(&documents[position], position: position, insertIDs: &pathIDs)
                    group = 0
                } else {
                    let destination = try resolver.destination(for: documents[position], context: context)
                    try check(&documents[position], position: position, insertIDs: &pathIDs)
                    group = Self.group(of: destination, order: &order, positionsByGroup: &positionsByGroup,
                                       groupByDestination: &groupByDestination)
                }
                positionsByGroup[group].append(position)
                groupOf[position] = group
            } catch {
                failures[position] = "\(error)"
                codes[position] = DocumentError.code(of: error, else: .connector)
            }
        }
        let ids: RowIDs = switch settings.insertID {
        case .none: .none
        case .generate: .generated(PrefixedPropertyName(RowIDs.property, prefix: "\(context.execution.id)-"))
        case .path: .values(pathIDs)
        }
        let requests = order.indices.flatMap { group in
            makeRequests(order[group], positions: positionsByGroup[group], documents: documents, ids: ids)
        }
        let results = await send(requests)
        for (request, result) in zip(requests, results) {
            switch result {
            case .success(let rowErrors):
                for (position, message) in rowErrors {
                    failures[position] = message
                    codes[position] = .rejected
                }
            case .failure(let error):
                for position in request.positions {
                    failures[position] = "\(error)"
                    codes[position] = DocumentError.code(of: error, else: .connector)
                }
            }
        }
        return outcome(documents: consume documents, failures: failures, codes: codes, ids: ids,
                       destinations: order, groupOf: groupOf)
    }

    /// Checks the row at `position` and, when the ids come from a path, reads its id into `insertIDs`.
    private func check(_ document: inout Document, position: Int, insertIDs: inout [String?]) throws {
        try Self.checkRow(&document)
        if document.data.count > StreamingInsertSettings.maxRowBytes {
            throw DocumentError("row of \(document.data.count) bytes exceeds BigQuery's 10 MB row limit", code: .content)
        }
        if case .path(let path) = settings.insertID {
            insertIDs[position] = try Self.insertID(at: path, in: &document)
        }
    }

    /// The group of rows going to `destination`, made when it is the first such row.
    private static func group(of destination: Destination, order: inout [Destination], positionsByGroup: inout [[Int]],
                              groupByDestination: inout [Destination: Int]) -> Int {
        if let last = order.indices.last, order[last] == destination { return last }
        if let known = groupByDestination[destination] { return known }
        let group = order.count
        order.append(destination)
        positionsByGroup.append([])
        groupByDestination[destination] = group
        return group
    }

    /// Checks that a document is one JSON object, as its bytes go into the request: a plain JSON
    /// object is checked by a scan that builds nothing; anything else is parsed, and a document
    /// read into an object another way (XML, a byte order mark) is replaced by the object's JSON.
    static func checkRow(_ document: inout Document) throws {
        let plain = document.parsedJSON == nil && (document.isKnownJSONObject || document.data.withUnsafeBufferPointer {
            JSONBytes.isObject($0, maximumDepth: JSONParser.maximumDepth)
        })
        if plain { return }
        guard case .object = try document.json() else {
            throw DocumentError("a streaming insert row must be a JSON object", code: .content)
        }
        if document.data.withUnsafeBufferPointer({ !JSONBytes.isObject($0, maximumDepth: JSONParser.maximumDepth) }) {
            document.replace(with: try document.json())
        }
    }

    /// A document's destination table: worked out once per batch when the settings name no
    /// document property, and each distinct table's name checked once.
    struct DestinationResolver {
        let settings: StreamingInsertSettings
        /// Whether any of the settings reads a document property.
        let perDocument: Bool
        private var shared: Result<Destination, any Error>?
        private var checked: Set<Destination> = []

        init(settings: StreamingInsertSettings) {
            self.settings = settings
            perDocument = ([settings.projectID, settings.datasetID, settings.tableID] + (settings.templateSuffix.map { [$0] } ?? []))
                .contains { !$0.documentPropertyNames.isEmpty }
        }

        mutating func destination(for document: Document, context: OperationContext) throws -> Destination {
            if !perDocument, let shared { return try shared.get() }
            let found = Result { try resolve(document, context) }
            if !perDocument { shared = found }
            return try found.get()
        }

        private mutating func resolve(_ document: Document, _ context: OperationContext) throws -> Destination {
            let destination = Destination(project: try context.interpolate(settings.projectID, for: document),
                                          dataset: try context.interpolate(settings.datasetID, for: document),
                                          table: try context.interpolate(settings.tableID, for: document),
                                          suffix: try settings.templateSuffix.map { try context.interpolate($0, for: document) })
            if !checked.contains(destination) {
                _ = try TableReference(checking: destination.project, dataset: destination.dataset,
                                       table: destination.table + (destination.suffix ?? ""))
                checked.insert(destination)
            }
            return destination
        }
    }

    private static func insertID(at path: DocumentPath, in document: inout Document) throws -> String {
        guard let value = path.values(in: try document.json()).first?.textValue, !value.isEmpty else {
            throw DocumentError("insertId path \(path) has no value in document \(document.index)", code: .path)
        }
        return value
    }

    /// Splits one destination's rows into requests within batchCount, 50,000 rows and 9 MB. Each
    /// row is written straight into its request's body: `{"insertId":…,"json":`, the document's
    /// bytes and `}`. The rows' lengths are added up first, so each body is allocated once at its
    /// size and filled through a pointer (no capacity or uniqueness check per piece).
    func makeRequests(_ destination: Destination, positions: [Int], documents: [Document], ids: RowIDs) -> [Request] {
        var header: [UInt8] = Array(#"{"kind":"bigquery#tableDataInsertAllRequest","skipInvalidRows":"#.utf8)
        header += Array((settings.skipInvalidRows ? "true" : "false").utf8)
        header += Array(#","ignoreUnknownValues":"#.utf8) + Array((settings.ignoreUnknownValues ? "true" : "false").utf8)
        if let suffix = destination.suffix {
            header += Array(#","templateSuffix":"#.utf8) + JSONValue.string(suffix).serialized()
        }
        header += Array(#","rows":["#.utf8)
        let limit = min(settings.batchCount, StreamingInsertSettings.maxRowsPerRequest)
        let pieces = RowPieces(ids: ids, positions: positions)
        let closing: [UInt8] = Array("]}".utf8)
        var requests: [Request] = []
        documents.withUnsafeBufferPointer { documents in
            /// The body of the rows `positions[range]`, `size` bytes.
            func request(_ range: Range<Int>, size: Int) -> Request {
                let body = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                    guard let base = buffer.baseAddress else { return }
                    var writer = RawWriter(at: base)
                    writer.put(header)
                    for offset in range {
                        if offset > range.lowerBound { writer.put(UInt8(ascii: ",")) }
                        let position = positions[offset]
                        pieces.write(row: offset, index: documents[position].index, to: &writer)
                        documents[position].data.withUnsafeBufferPointer { writer.put($0) }
                        writer.put(UInt8(ascii: "}"))
                    }
                    writer.put(closing)
                    count = writer.at - base
                }
                return Request(destination: destination, positions: Array(positions[range]), body: body)
            }
            var first = 0
            var size = header.count + closing.count
            for offset in positions.indices {
                let position = positions[offset]
                let length = pieces.length(row: offset, index: documents[position].index, dataCount: documents[position].data.count)
                if offset > first, offset - first >= limit || size + length + 1 > StreamingInsertSettings.maxRequestBytes {
                    requests.append(request(first..<offset, size: size))
                    first = offset
                    size = header.count + closing.count
                }
                size += offset > first ? length + 1 : length
            }
            if first < positions.count { requests.append(request(first..<positions.count, size: size)) }
        }
        return requests
    }

    /// The parts of a row around its document's bytes: `{`, the insert id, `"json":`, `}`.
    struct RowPieces {
        let ids: RowIDs
        let idKey: [UInt8] = Array(#""insertId":"#.utf8)
        let jsonKey: [UInt8] = Array(#""json":"#.utf8)
        /// A generated id's prefix, quoted, without its closing quote (the index follows).
        let quotedPrefix: [UInt8]
        /// Ids read from a path, quoted, by offset in the positions (empty: none).
        let quotedIDs: [[UInt8]]

        init(ids: RowIDs, positions: [Int]) {
            self.ids = ids
            var prefix: [UInt8] = []
            var quoted: [[UInt8]] = []
            switch ids {
            case .none: break
            case .generated(let name):
                prefix = JSONValue.string(name.prefix).serialized()
                prefix.removeLast()
            case .values(let values):
                quoted = positions.map { position in values[position].map { JSONValue.string($0).serialized() } ?? [] }
            }
            quotedPrefix = prefix
            quotedIDs = quoted
        }

        /// The bytes of row `offset` (of the document with this index and content size), `{` to `}`.
        func length(row offset: Int, index: Int, dataCount: Int) -> Int {
            let idLength: Int
            switch ids {
            case .none: idLength = 0
            case .generated: idLength = idKey.count + quotedPrefix.count + JSONBytes.decimalLength(index) + 2
            case .values: idLength = quotedIDs[offset].isEmpty ? 0 : idKey.count + quotedIDs[offset].count + 1
            }
            return 1 + idLength + jsonKey.count + dataCount + 1
        }

        /// Writes row `offset` up to its document's bytes: `{`, the insert id, `"json":`.
        func write(row offset: Int, index: Int, to writer: inout RawWriter) {
            writer.put(UInt8(ascii: "{"))
            switch ids {
            case .none:
                break
            case .generated:
                writer.put(idKey)
                writer.put(quotedPrefix)
                writer.at += JSONBytes.writeDecimal(index, to: writer.at)
                writer.put(UInt8(ascii: "\""))
                writer.put(UInt8(ascii: ","))
            case .values:
                if !quotedIDs[offset].isEmpty {
                    writer.put(idKey)
                    writer.put(quotedIDs[offset])
                    writer.put(UInt8(ascii: ","))
                }
            }
            writer.put(jsonKey)
        }
    }

    /// Writes bytes at a pointer into a buffer sized beforehand.
    struct RawWriter {
        var at: UnsafeMutablePointer<UInt8>

        @inline(__always)
        mutating func put(_ byte: UInt8) {
            at.pointee = byte
            at += 1
        }

        @inline(__always)
        mutating func put(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { put($0) }
        }

        @inline(__always)
        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let source = bytes.baseAddress else { return }
            at.update(from: source, count: bytes.count)
            at += bytes.count
        }
    }

    /// Sends requests with bounded concurrency; per request, the row errors by batch position.
    private func send(_ requests: [Request]) async -> [Result<[Int: String], any Error>] {
        var results = [Result<[Int: String], any Error>?](repeating: nil, count: requests.count)
        await withTaskGroup(of: (Int, Result<[Int: String], any Error>).self) { group in
            var next = 0
            func start() {
                guard next < requests.count else { return }
                let number = next
                let request = requests[number]
                next += 1
                group.addTask { (number, await self.perform(request)) }
            }
            for _ in 0..<concurrency { start() }
            for await (number, result) in group {
                results[number] = result
                start()
            }
        }
        return results.map { $0 ?? .failure(DocumentError("request was not sent", code: .unavailable)) }
    }

    private func perform(_ request: Request) async -> Result<[Int: String], any Error> {
        do {
            let destination = request.destination
            let body = try await rest.insertAll(project: destination.project, dataset: destination.dataset,
                                                table: destination.table, body: request.body)
            return .success(InsertAllResponse.rowErrors(body, positions: request.positions,
                                                        skipInvalidRows: settings.skipInvalidRows))
        } catch {
            return .failure(error)
        }
    }

    /// The outputs are the documents themselves, changed in place (no copy of each document):
    /// the failed ones are taken out, and the others keep their order.
    private func outcome(documents: consuming [Document], failures: [Int: String], codes: [Int: DocumentError.Code], ids: RowIDs,
                         destinations: [Destination], groupOf: [Int]) -> OperationOutcome {
        var failed: [DocumentFailure] = []
        var applicationErrors = 0
        // Documents of a chunk share one properties dictionary; so do their outputs (one per
        // destination), and a generated insert id stays a number in each document.
        let destinationValues = destinations.map(\.propertyValues)
        var run = 0
        while run < documents.count {
            // A run of documents of one destination.
            var end = run + 1
            while end < documents.count, groupOf[end] == groupOf[run] { end += 1 }
            if groupOf[run] >= 0 {
                Document.setProperties(TableReference.propertyNames, to: destinationValues[groupOf[run]], on: &documents, in: run..<end)
            }
            run = end
        }
        var kept = 0
        for position in documents.indices {
            switch ids {
            case .none: break
            case .generated(let name): documents[position].setProperty(name, number: documents[position].index)
            case .values(let values): if let id = values[position] { documents[position].properties[RowIDs.property] = id }
            }
            if let message = failures[position] {
                guard settings.returnApplicationErrors else {
                    failed.append(DocumentFailure(document: documents[position], message: message,
                                                  code: codes[position] ?? .connector))
                    continue
                }
                var error = JSONObject()
                error["message"] = .string(message)
                var body = JSONObject()
                body["error"] = .object(error)
                body["row"] = (try? documents[position].json()) ?? .string(documents[position].text)
                documents[position].replace(with: .object(body))
                documents[position].properties[Document.applicationErrorProperty] = message
                applicationErrors += 1
            }
            if kept != position { documents.swapAt(kept, position) }
            kept += 1
        }
        documents.removeSubrange(kept...)
        return OperationOutcome(outputs: documents, failures: failed, applicationErrors: applicationErrors)
    }
}
