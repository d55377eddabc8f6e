import ConveyorBase
import Crypto
import Foundation

/// The component files that passed their schema, by digest, kept in the workspace's
/// `.conveyor/schema-valid` so that a `conveyor run` of files seen before does not compile the
/// schemas again (libxml2's compilation of the bundled XSDs was 9 M instructions of every run, a
/// tenth of a short run's start; validating a document costs a few thousand).
///
/// A digest is SHA-256 of the schema's text and the file's bytes: a file changed in any byte, or
/// a build with another schema, is validated again. Validation depends on nothing else (documents
/// are parsed with the same options, never with an extensions file: a load with one validates
/// every file). Only files that passed are kept, and only a load that succeeded writes the file;
/// a missing, unreadable or malformed file means none passed; a write that fails (a read-only
/// workspace, a full disk) is left, and the next run validates again.
struct SchemaValidationCache {
    /// The file, in the workspace.
    static let fileName = ".conveyor/schema-valid"
    /// The first line of the file: a file with another is not read.
    static let header = "conveyor schema-valid 1"
    /// A larger file is not read: a workspace of this many files is not one this cache serves.
    static let maximumSize = 1 << 20

    private let path: String
    /// The digests the file held.
    private let known: Set<String>
    /// The digests of this load's files that passed (or were known to).
    private var passed: Set<String> = []
    private var schemaDigests: [ComponentKind: [UInt8]] = [:]

    /// The cache of the workspace at `root` (a standardized path).
    init(root: String) {
        path = root + "/" + Self.fileName
        known = Self.read(path)
    }

    private static func read(_ path: String) -> Set<String> {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) <= maximumSize,
              let data = FileManager.default.contents(atPath: path) else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.first == Substring(header) else { return [] }
        lines.removeFirst()
        return Set(lines.lazy.filter { $0.utf8.count == 64 && $0.utf8.allSatisfy(Self.isHexDigit) }.map(String.init))
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// The digest of a file of `kind` holding `bytes`; nil when the kind's schema is missing.
    mutating func digest(kind: ComponentKind, bytes: [UInt8]) -> String? {
        let schema: [UInt8]
        if let known = schemaDigests[kind] {
            schema = known
        } else {
            guard let text = EmbeddedSchemas.texts[kind.schemaName] else { return nil }
            schema = Array(SHA256.hash(data: Array(text.utf8)))
            schemaDigests[kind] = schema
        }
        var hasher = SHA256()
        hasher.update(data: schema)
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hexadecimal.lowercase(hasher.finalize())
    }

    /// Whether a file with this digest passed its schema in an earlier load.
    func passedBefore(_ digest: String) -> Bool { known.contains(digest) }

    /// A file with this digest passed its schema in this load.
    mutating func record(_ digest: String) { passed.insert(digest) }

    /// Writes this load's digests, when they differ from the file's (atomically: a reader sees the
    /// old file or the new one). Failures are left: the cache only saves work.
    func save() {
        guard passed != known else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = ([Self.header] + passed.sorted()).joined(separator: "\n") + "\n"
        try? Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
