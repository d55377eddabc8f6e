import Foundation
import Synchronization
import Testing
@testable import ProcessModel

/// A document with a DOCTYPE is refused and the files it names are never opened.
///
/// The "secret" file is a FIFO: opening it for reading blocks until a writer appears, so a
/// loader that tried to resolve the entity would hang. Each test waits at most a few seconds;
/// on timeout it writes to the FIFO to release the reader and fails.
@Suite struct ExternalEntityTests {
    static let content = "TOP-SECRET-CONTENT-7d2e"

    enum Outcome: Sendable {
        case finished([Diagnostic], Workspace?)
        case timedOut
    }

    /// Runs `body` off the cooperative pool, releasing a blocked reader of `fifo` after a deadline.
    func run(_ body: @escaping @Sendable () -> ([Diagnostic], Workspace?), fifo: String) async -> Outcome {
        let result: ([Diagnostic], Workspace?)? = await withCheckedContinuation { continuation in
            let once = Once()
            Thread.detachNewThread {
                let value = body()
                if once.claim() { continuation.resume(returning: value) }
            }
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 5)
                if once.claim() {
                    // Release the blocked reader so the process can finish.
                    if let handle = FileHandle(forWritingAtPath: fifo) {
                        handle.write(Data(ExternalEntityTests.content.utf8))
                        try? handle.close()
                    }
                    continuation.resume(returning: nil)
                }
            }
        }
        return result.map { .finished($0.0, $0.1) } ?? .timedOut
    }

    func workspace(process: (String) -> String) throws -> (root: URL, fifo: String) {
        let root = try temporaryDirectory()
        let secrets = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        let fifo = secrets.appendingPathComponent("secret.txt").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try write(process(fifo), to: "processes/evil.xml", in: root)
        return (root, fifo)
    }

    func check(_ outcome: Outcome, expected: String) {
        guard case .finished(let found, let loaded) = outcome else {
            Issue.record("loading blocked: the external entity file was opened")
            return
        }
        #expect(loaded == nil)
        #expect(lines(found) == [expected])
        #expect(!found.contains { $0.description.contains(ExternalEntityTests.content) })
    }

    @Test func internalSubsetWithExternalEntityIsRefused() async throws {
        let (root, fifo) = try workspace { fifo in """
            <?xml version="1.0"?>
            <!DOCTYPE process [<!ENTITY e SYSTEM "file://\(fifo)">]>
            <process id="evil">
              <description>&e;</description>
              <shapes><start id="s" next="end"><noData/></start><stop id="end"/></shapes>
            </process>
            """
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let outcome = await run({ load(root.path) }, fifo: fifo)
        check(outcome, expected: "processes/evil.xml:2:1: error: DOCTYPE is not allowed")
    }

    @Test func externalSubsetIsRefused() async throws {
        let (root, fifo) = try workspace { fifo in """
            <!DOCTYPE process SYSTEM "file://\(fifo)"><process id="evil"/>
            """
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let outcome = await run({ load(root.path) }, fifo: fifo)
        check(outcome, expected: "processes/evil.xml:1:1: error: DOCTYPE is not allowed")
    }

    /// The parser itself stops at a DOCTYPE, even without the scan that runs before it.
    @Test func parserStopsAtDoctypeOnItsOwn() async throws {
        let (root, fifo) = try workspace { fifo in """
            <?xml version="1.0"?>
            <!DOCTYPE process [<!ENTITY e SYSTEM "file://\(fifo)">]>
            <process id="evil"><description>&e;</description></process>
            """
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent("processes/evil.xml")))
        let outcome = await run({
            LibXML2.prepare()
            let collector = XMLErrorCollector()
            let document = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { XMLDocument.parseDocument($0, collector: collector) }
            }
            let line = collector.doctypeLine ?? 0
            if let document { XMLDocument.free(document) }
            return ([Diagnostic(SourceLocation(file: "evil.xml", line: line), "stopped")], nil)
        }, fifo: fifo)
        check(outcome, expected: "evil.xml:2:1: error: stopped")
    }

    func load(_ root: String) -> ([Diagnostic], Workspace?) {
        do {
            return ([], try WorkspaceLoader(root: root, environment: [:], secrets: DictionarySecrets()).load())
        } catch {
            return (error.diagnostics, nil)
        }
    }
}

/// Lets exactly one of several threads win.
final class Once: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { value in
            defer { value = true }
            return !value
        }
    }
}
