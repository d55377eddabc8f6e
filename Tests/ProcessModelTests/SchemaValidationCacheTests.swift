import Foundation
import Testing
@testable import ProcessModel

/// Files that passed their schema are not validated again while their bytes and the schema stay
/// the same; anything else is validated as without the cache.
@Suite struct SchemaValidationCacheTests {
    static let process = """
        <process id="p">
          <shapes>
            <start id="start" next="done"><noData/></start>
            <stop id="done"/>
          </shapes>
        </process>
        """
    /// What the schema refuses (an attribute it does not declare) and the reader does not mind.
    static let refusedBySchema = process.replacingOccurrences(of: #"<process id="p">"#, with: #"<process id="p" bogus="1">"#)

    static func load(_ root: URL, caching: Bool = true, extensions: String? = nil) -> [String] {
        var loader = WorkspaceLoader(root: root.path, environment: [:], secrets: DictionarySecrets(), extensionsFile: extensions)
        loader.cachesSchemaValidation = caching
        do {
            _ = try loader.load()
            return []
        } catch {
            return lines(error.diagnostics)
        }
    }

    static func cacheFile(_ root: URL) -> URL { root.appendingPathComponent(SchemaValidationCache.fileName) }

    /// Writes a cache file holding the digest of `text` as a process file.
    static func plant(_ text: String, in root: URL, header: String = SchemaValidationCache.header) throws {
        var cache = SchemaValidationCache(root: root.path)
        let computed = cache.digest(kind: .process, bytes: Array(text.utf8))
        let digest = try #require(computed)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".conveyor"), withIntermediateDirectories: true)
        try Data("\(header)\n\(digest)\n".utf8).write(to: cacheFile(root))
    }

    @Test("a load writes the digests of the files that passed; the next skips their validation")
    func passedFilesAreNotValidatedAgain() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try write(Self.process, to: "processes/p.xml", in: root)
        try write(#"<connection id="files" type="disk"><directory>.</directory></connection>"#, to: "connectors/files.xml", in: root)
        #expect(Self.load(root) == [])
        let text = try String(contentsOf: Self.cacheFile(root), encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first == Substring(SchemaValidationCache.header) && lines.count == 3)
        #expect(Self.load(root) == [])
        // Skipped, as a file the schema refuses shows once its digest is planted as passed.
        try write(Self.refusedBySchema, to: "processes/p.xml", in: root)
        let refused = Self.load(root)
        #expect(refused.count == 1 && refused.first?.contains("bogus") == true, "\(refused)")
        try Self.plant(Self.refusedBySchema, in: root)
        #expect(Self.load(root) == [])
    }

    @Test("a changed byte, another header, a malformed or oversized file: validated as without a cache")
    func anythingElseIsValidated() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try write(Self.refusedBySchema, to: "processes/p.xml", in: root)
        // The digest of another text (one byte apart).
        try Self.plant(Self.refusedBySchema.replacingOccurrences(of: "bogus=\"1\"", with: "bogus=\"2\""), in: root)
        #expect(Self.load(root).count == 1)
        try Self.plant(Self.refusedBySchema, in: root, header: "conveyor schema-valid 0")
        #expect(Self.load(root).count == 1)
        for junk in ["", "\u{0}\u{1}binary", SchemaValidationCache.header + "\nnot a digest\n" + String(repeating: "g", count: 64)] {
            try Data(junk.utf8).write(to: Self.cacheFile(root))
            #expect(Self.load(root).count == 1, "\(junk.debugDescription)")
        }
        // A file past the size read is not read, whatever it holds.
        var cache = SchemaValidationCache(root: root.path)
        let computed = cache.digest(kind: .process, bytes: Array(Self.refusedBySchema.utf8))
        let digest = try #require(computed)
        let huge = SchemaValidationCache.header + "\n" + digest + "\n"
            + String(repeating: String(repeating: "0", count: 64) + "\n", count: SchemaValidationCache.maximumSize / 65 + 1)
        try Data(huge.utf8).write(to: Self.cacheFile(root))
        #expect(Self.load(root).count == 1)
        // `.conveyor/schema-valid` a folder: read as nothing, written over by nothing.
        try FileManager.default.removeItem(at: Self.cacheFile(root))
        try FileManager.default.createDirectory(at: Self.cacheFile(root), withIntermediateDirectories: true)
        try write(Self.process, to: "processes/p.xml", in: root)
        #expect(Self.load(root) == [])
    }

    @Test("a load with an extensions file, a load that fails, a load without caching: nothing read or written")
    func notUsedOrWritten() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try write(Self.refusedBySchema, to: "processes/p.xml", in: root)
        try Self.plant(Self.refusedBySchema, in: root)
        try write(#"<extensions environment="test"/>"#, to: "extensions.xml", in: root)
        #expect(Self.load(root, extensions: root.appendingPathComponent("extensions.xml").path).count == 1)
        #expect(Self.load(root, caching: false).count == 1)

        try FileManager.default.removeItem(at: root.appendingPathComponent(".conveyor"))
        try write(Self.process, to: "processes/p.xml", in: root)
        try write("<process id=\"q\"><shapes><stop id=\"s\"/></shapes>", to: "processes/broken.xml", in: root)
        #expect(!Self.load(root).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: Self.cacheFile(root).path))
        try FileManager.default.removeItem(at: root.appendingPathComponent("processes/broken.xml"))
        #expect(Self.load(root, caching: false) == [])
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".conveyor").path))
    }
}
