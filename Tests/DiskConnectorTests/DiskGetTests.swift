import Foundation
import Testing
@testable import DiskConnector

@Suite struct DiskGetTests {
    /// Block and slice sizes that cut documents, strings, escapes and CRLFs at every position.
    static let sizes: [(block: Int, slice: Int)] = [(1, 1), (2, 1), (3, 2), (7, 3), (64, 5), (1 << 20, 1 << 16)]

    func operation(_ folder: TemporaryFolder, _ split: DiskSplit, header: Bool = false,
                   block: Int, slice: Int, chunk: Int = 10_000) -> DiskGetOperation {
        DiskGetOperation(directory: folder.path, pattern: "*", split: split, header: header, deleteAfterRead: false,
                         chunkSize: chunk, blockSize: block, sliceSize: slice)
    }

    @Test(arguments: sizes.indices)
    func jsonLinesAcrossBlockBoundaries(_ size: Int) async throws {
        let folder = try TemporaryFolder()
        try folder.write("{\"a\":1}\r\n\n   \n{\"b\":\"x\\ny\"}\n{\"c\":[1,2]}", to: "in.jsonl")
        let (block, slice) = Self.sizes[size]
        let chunks = try await readChunks(operation(folder, .jsonLines, block: block, slice: slice))
        let documents = chunks.flatMap { $0 }
        #expect(documents.map(\.text) == ["{\"a\":1}", "{\"b\":\"x\\ny\"}", "{\"c\":[1,2]}"])
        #expect(documents.map { $0.properties["disk.line"] } == ["1", "4", "5"])
        #expect(documents.allSatisfy { $0.properties["disk.fileName"] == "in.jsonl" })
    }

    @Test(arguments: sizes.indices)
    func jsonArrayElementsAcrossBlockBoundaries(_ size: Int) async throws {
        let folder = try TemporaryFolder()
        try folder.write(" [ {\"s\":\"a,]}\\\"\"}, [1, [2]] ,\n \"t\" , 3.5,null ] \n", to: "in.json")
        let (block, slice) = Self.sizes[size]
        let texts = try await readTexts(operation(folder, .jsonArray, block: block, slice: slice))
        #expect(texts == ["{\"s\":\"a,]}\\\"\"}", "[1, [2]]", "\"t\"", "3.5", "null"])
    }

    @Test func jsonArrayErrorsNameTheFile() async throws {
        let cases = ["{\"a\":1}": "needs a JSON array", "[1,2": "not closed", "[1,,2]": "empty element",
                     "[1] 2": "after the JSON array", "": "needs a JSON array"]
        for (content, expected) in cases {
            let folder = try TemporaryFolder()
            try folder.write(content, to: "bad.json")
            do {
                _ = try await readTexts(operation(folder, .jsonArray, block: 2, slice: 1))
                Issue.record("no error for \(content)")
            } catch {
                #expect("\(error)".contains("bad.json"), "\(error)")
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
        let empty = try TemporaryFolder()
        try empty.write(" [ ] ", to: "empty.json")
        #expect(try await readTexts(operation(empty, .jsonArray, block: 1, slice: 1)).isEmpty)
    }

    @Test(arguments: sizes.indices)
    func csvRowsKeepTheHeaderAndQuotedLineBreaks(_ size: Int) async throws {
        let folder = try TemporaryFolder()
        try folder.write("id,name\r\n1,\"Ann\nLee\"\r\n\n2,\"Bo, \"\"B\"\"\"\n", to: "in.csv")
        let (block, slice) = Self.sizes[size]
        let withHeader = try await readChunks(operation(folder, .csvRows, header: true, block: block, slice: slice))
            .flatMap { $0 }
        #expect(withHeader.map(\.text) == ["id,name\n1,\"Ann\nLee\"", "id,name\n2,\"Bo, \"\"B\"\"\""])
        #expect(withHeader.map { $0.properties["disk.row"] } == ["1", "2"])
        let rows = try await readTexts(operation(folder, .csvRows, block: block, slice: slice))
        #expect(rows == ["id,name", "1,\"Ann\nLee\"", "2,\"Bo, \"\"B\"\"\""])
    }

    /// A quote left open is an error naming the file and the line where it opened, not one
    /// document holding the rest of the file.
    @Test(arguments: sizes.indices)
    func csvUnterminatedQuoteIsAnError(_ size: Int) async throws {
        let folder = try TemporaryFolder()
        try folder.write("id,name\n1,Ann\n2,\"Bo\n3,Cy\n4,Di\n", to: "open.csv")
        let (block, slice) = Self.sizes[size]
        do {
            let rows = try await readTexts(operation(folder, .csvRows, block: block, slice: slice))
            Issue.record("no error; rows: \(rows)")
        } catch {
            #expect("\(error)".contains("open.csv: line 3: a quoted field is not closed"), "\(error)")
        }
    }

    @Test func csvQuoteOpenForMoreThanTheLimitStopsEarly() async throws {
        let folder = try TemporaryFolder()
        let row = "1,abcdefghijklmnopqrstuvwxyz0123456789\n"
        try folder.write("id,\"x\n" + String(repeating: row, count: (CSVRowSplitter.maxRecordBytes / row.utf8.count) + 2),
                         to: "big.csv")
        do {
            _ = try await readTexts(operation(folder, .csvRows, block: 1 << 20, slice: 1 << 16))
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("big.csv: line 1: a quoted field is not closed"), "\(error)")
            #expect("\(error)".contains("more than 16 MB"), "\(error)")
        }
    }

    @Test func chunksAreBoundedAndEveryDocumentArrives() async throws {
        let folder = try TemporaryFolder()
        let lines = (0..<2_500).map { "{\"n\":\($0)}" }
        try folder.write(lines.joined(separator: "\n") + "\n", to: "many.jsonl")
        let chunks = try await readChunks(operation(folder, .jsonLines, block: 4096, slice: 512, chunk: 100))
        #expect(chunks.flatMap { $0 }.map(\.text) == lines)
        // Every chunk holds exactly `chunk` documents (a slice's overflow starts the next one).
        #expect(chunks.map(\.count) == Array(repeating: 100, count: 25))
        // A slice holding several chunks' worth hands them over one by one; the rest comes last.
        let small = try await readChunks(operation(folder, .jsonLines, block: 4096, slice: 512, chunk: 7))
        #expect(small.flatMap { $0 }.map(\.text) == lines)
        #expect(small.map(\.count) == Array(repeating: 7, count: 357) + [1])
    }

    /// Lines split at the chunk's size (the splitter stops there, the slice's rest starts the
    /// next chunk): across every block and slice size, with blank lines and CRLFs, each chunk but
    /// the last is full and every line keeps its number.
    @Test(arguments: sizes.indices)
    func linesStopAtTheChunkSizeAndKeepTheirNumbers(_ size: Int) async throws {
        let folder = try TemporaryFolder()
        var text = ""
        var expected: [(text: String, line: String)] = []
        for number in 1...300 {
            switch number % 13 {
            case 0: text += "\n"
            case 5: text += "  \r\n"
            default:
                let line = "{\"n\":\(number),\"pad\":\"\(String(repeating: "x", count: number % 17))\"}"
                text += line + (number % 4 == 0 ? "\r\n" : "\n")
                expected.append((line, "\(number)"))
            }
        }
        try folder.write(text, to: "lines.jsonl")
        let (block, slice) = Self.sizes[size]
        for chunk in [1, 3, 7, 1_000] {
            let chunks = try await readChunks(operation(folder, .jsonLines, block: block, slice: slice, chunk: chunk))
            let documents = chunks.flatMap { $0 }
            #expect(documents.map(\.text) == expected.map(\.text), "chunk \(chunk)")
            #expect(documents.map { $0.properties["disk.line"] } == expected.map(\.line), "chunk \(chunk)")
            #expect(chunks.dropLast().allSatisfy { $0.count == chunk }, "chunk \(chunk): \(chunks.map(\.count))")
            #expect((1...chunk).contains(chunks.last?.count ?? 0))
        }
    }

    @Test func noneKeepsTheWholeFileAndFilesAreReadInNameOrder() async throws {
        let folder = try TemporaryFolder()
        try folder.write("second", to: "b.txt")
        try folder.write("first\nline", to: "a.txt")
        let documents = try await readChunks(operation(folder, .none, block: 3, slice: 2)).flatMap { $0 }
        #expect(documents.map(\.text) == ["first\nline", "second"])
        #expect(documents.map { $0.properties["disk.fileName"] } == ["a.txt", "b.txt"])
    }
}
