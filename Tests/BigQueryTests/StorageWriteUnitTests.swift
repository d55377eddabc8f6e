@testable import BigQuery
import GRPCCore
import ProcessModel
import Testing

@Suite struct StorageWriteUnitTests {
    @Test func statusesAreClassifiedForRetry() {
        for code in [1, 4, 8, 10, 13, 14] { #expect(StorageWriteStatus.classify(code: code) == .retry) }
        for code in [3, 5, 7, 9] { #expect(StorageWriteStatus.classify(code: code) == .fail) }
        #expect(StorageWriteStatus.classify(code: 16) == .refreshToken)
        #expect(StorageWriteStatus.classify(code: 6) == .alreadyWritten)
        #expect(StorageWriteStatus.classify(code: 11) == .outOfRange)
    }

    @Test func errorsDescribeOperationStatusAndMessage() {
        let error = StorageWriteError(code: 3, message: "bad row", operation: "AppendRows to p.d.t")
        #expect(error.description == "AppendRows to p.d.t: INVALID_ARGUMENT (3): bad row")
    }

    @Test("refusals for the writer's schema are told from other INVALID_ARGUMENTs: the schema is read again for them only")
    func schemaRefusalsAreRecognised() {
        func refusal(_ message: String) -> Bool {
            StorageTableWriter.isSchemaRefusal(StorageWriteError(code: 3, message: message, operation: "AppendRows to p.d.t"))
        }
        #expect(refusal("Input schema has more fields than BigQuery schema, extra fields: 'note'"))
        #expect(refusal("The proto field mismatched with BigQuery field at Row.amount, the proto field type string, "
                        + "BigQuery field type INTEGER"))
        #expect(refusal("Schema mismatch due to extra fields in user schema"))
        #expect(!refusal("Errors found while processing rows. Please refer to the row_errors field for details."))
        #expect(!refusal("Table not found: p.d.t"))
    }

    @Test func aTransportFailureNamesItsCause() {
        struct Reset: Error, CustomStringConvertible { var description: String { "connection reset by peer" } }
        let failure = StorageTableWriter.storageError(
            RPCError(code: .unknown, message: "The transport threw an unexpected error.", cause: Reset()),
            operation: "AppendRows to p.d.t")
        #expect(failure.description
            == "AppendRows to p.d.t: UNKNOWN (2): The transport threw an unexpected error. (connection reset by peer)")
        #expect(failure.code == 2, "the status is the call's")
        let plain = StorageTableWriter.storageError(RPCError(code: .notFound, message: "no table"), operation: "AppendRows to p.d.t")
        #expect(plain.description == "AppendRows to p.d.t: NOT_FOUND (5): no table")
    }

    @Test func aFailureOfTheClientsTransportIsRetriedAndAServersUnknownIsNot() {
        struct Closed: Error {}
        let operation = "AppendRows to p.d.t"
        // What the client makes when its transport throws: "The transport threw an unexpected error.", "Write failed."
        for message in ["The transport threw an unexpected error.", "Write failed."] {
            let failure = StorageTableWriter.storageError(RPCError(code: .unknown, message: message, cause: Closed()),
                                                          operation: operation)
            #expect(failure.inTransport)
            #expect(StorageWriteStatus.classify(failure) == .retry)
        }
        // A status the server sent has no cause: its UNKNOWN fails the rows, its UNAVAILABLE is retried.
        let server = StorageTableWriter.storageError(RPCError(code: .unknown, message: "backend said so"), operation: operation)
        #expect(!server.inTransport)
        #expect(StorageWriteStatus.classify(server) == .fail)
        let unavailable = StorageTableWriter.storageError(RPCError(code: .unavailable, message: "down"), operation: operation)
        #expect(StorageWriteStatus.classify(unavailable) == .retry)
        // Other codes with a cause keep their own decision.
        let denied = StorageTableWriter.storageError(RPCError(code: .permissionDenied, message: "no", cause: Closed()),
                                                     operation: operation)
        #expect(StorageWriteStatus.classify(denied) == .fail)
    }

    @Test func requestsAreSplitByRowsAndBytes() {
        #expect(StorageRequestSplitter.split(sizes: Array(repeating: 10, count: 7), maxRows: 3) == [0..<3, 3..<6, 6..<7])
        // Each 100-byte row costs 102 bytes; 3 fit in 310 (with 0 overhead), the 4th does not.
        #expect(StorageRequestSplitter.split(sizes: Array(repeating: 100, count: 5), maxRows: 100, maxBytes: 310)
                == [0..<3, 3..<5])
        #expect(StorageRequestSplitter.split(sizes: [500, 10, 10], maxRows: 100, maxBytes: 100) == [0..<1, 1..<3])
        #expect(StorageRequestSplitter.split(sizes: [], maxRows: 10).isEmpty)
        #expect(StorageRequestSplitter.cost(ofRow: 200) == 203)
        // A realistic batch never exceeds 9 MB.
        let sizes = Array(repeating: 1_000, count: 30_000)
        let ranges = StorageRequestSplitter.split(sizes: sizes, maxRows: 50_000, overhead: 4096)
        for range in ranges {
            let bytes = 4096 + range.map { StorageRequestSplitter.cost(ofRow: sizes[$0]) }.reduce(0, +)
            #expect(bytes <= StorageRequestSplitter.maxRequestBytes)
        }
        #expect(ranges.map(\.count).reduce(0, +) == 30_000)
    }

    /// A COMMITTED stream as the service keeps it, from a chunk's first offset: a row below the end
    /// answers ALREADY_EXISTS, past it OUT_OF_RANGE, at it OK (and the stream grows by one row).
    actor CommittedStream {
        var end: Int
        var probes = 0
        var failAfter: Int?
        init(end: Int, failAfter: Int? = nil) {
            self.end = end
            self.failAfter = failAfter
        }

        func append(at offset: Int) -> StorageTableWriter.OffsetProbe {
            probes += 1
            if let failAfter, probes > failAfter {
                return .failed(StorageWriteError(code: 14, message: "unavailable", operation: "AppendRows"))
            }
            if offset < end { return .present }
            if offset > end { return .beyondEnd }
            end += 1
            return .appended
        }
    }

    @Test("ALREADY_EXISTS for a request: only the rows found in the stream count as written, the stream ends right after them")
    func alreadyExistsIsConfirmedRowByRow() async {
        for count in [1, 2, 3, 8, 37, 10_000] {
            // The stream holds `held` of the chunk's rows (at least the first: it answered ALREADY_EXISTS).
            for held in Set([1, 2, count / 2, count - 2, count - 1, count, count + 5]) where held >= 1 && held <= count + 5 {
                let stream = CommittedStream(end: held)
                let found = await StorageTableWriter.rowsInStream(count: count, operation: "AppendRows") {
                    await stream.append(at: $0)
                }
                let end = await stream.end
                let probes = await stream.probes
                #expect(found.failure == nil)
                // Every row counted is in the stream, and the next one goes right after them.
                #expect(found.rows <= count && found.rows <= end, "\(count) rows, \(held) held: \(found.rows)")
                #expect(end == max(held, found.rows), "\(count) rows, \(held) held: the stream ends at \(end)")
                // The whole chunk when the stream reached its last row; else the rows held and the one appended after.
                #expect(found.rows == (held >= count - 1 ? count : held + 1), "\(count) rows, \(held) held: \(found.rows)")
                #expect(probes <= (count == 1 ? 0 : 2 + Int.bitWidth - count.leadingZeroBitCount), "\(probes) probes")
            }
        }
    }

    @Test("a failure while the end of the stream is looked for: only rows seen in the stream count, with the failure")
    func alreadyExistsConfirmationFails() async {
        for failAfter in 0..<6 {
            let stream = CommittedStream(end: 300, failAfter: failAfter)
            let found = await StorageTableWriter.rowsInStream(count: 1_000, operation: "AppendRows") { await stream.append(at: $0) }
            #expect(found.failure?.code == 14)
            #expect(found.rows >= 1 && found.rows <= 300, "after \(failAfter) answers: \(found.rows)")
            #expect(await stream.end == 300)
        }
    }

    @Test func endpointsParse() {
        #expect(StorageEndpoint.parse("127.0.0.1:9060", plaintext: true)
                == StorageEndpoint(host: "127.0.0.1", port: 9060, plaintext: true))
        #expect(StorageEndpoint.parse("bigquerystorage.googleapis.com", plaintext: false) == nil)
        #expect(StorageEndpoint.parse("host:0", plaintext: false) == nil)
        // A scheme says TLS or plaintext, whatever the default; a trailing slash and spaces are ignored.
        #expect(StorageEndpoint.parse("http://127.0.0.1:9060", plaintext: false)
                == StorageEndpoint(host: "127.0.0.1", port: 9060, plaintext: true))
        #expect(StorageEndpoint.parse(" http://proxy.local:8080/\n", plaintext: false)
                == StorageEndpoint(host: "proxy.local", port: 8080, plaintext: true))
        #expect(StorageEndpoint.parse("https://bigquerystorage.googleapis.com", plaintext: false)
                == StorageEndpoint(host: "bigquerystorage.googleapis.com", port: 443, plaintext: false))
        #expect(StorageEndpoint.parse("http://[::1]:9060", plaintext: false) == StorageEndpoint(host: "::1", port: 9060, plaintext: true))
        #expect(StorageEndpoint.parse("http://host:port", plaintext: false) == nil)
        #expect(StorageEndpoint.parse("http://", plaintext: false) == nil)
    }
}
