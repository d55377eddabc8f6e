import Foundation
import Testing
@testable import ProcessModel

/// Entity-expansion bombs and DOCTYPEs in disguise are refused by the component loader, quickly
/// and without expanding anything. (External entities: ``ExternalEntityTests``.)
@Suite struct SecurityXMLTests {
    /// The classic "billion laughs": ten levels of ten references, 10⁹ copies of "lol" if expanded.
    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE process [
          <!ENTITY lol "lol">
        \((1...9).map { level in
            "  <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
        }.joined(separator: "\n"))
        ]>
        <process id="bomb"><description>&lol9;</description></process>
        """

    /// A quadratic blow-up: one big entity referenced many times.
    static let quadratic = """
        <?xml version="1.0"?>
        <!DOCTYPE process [<!ENTITY a "\(String(repeating: "a", count: 50_000))">]>
        <process id="bomb"><description>\(String(repeating: "&a;", count: 50_000))</description></process>
        """

    func load(_ text: String, encoding: String.Encoding = .utf8) throws -> (diagnostics: [String], seconds: Double) {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let url = root.appendingPathComponent("processes/bomb.xml")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #require(text.data(using: encoding)).write(to: url)
        let started = Date()
        let found = diagnostics(of: root.path)
        return (lines(found), Date().timeIntervalSince(started))
    }

    @Test func billionLaughsIsRefusedWithoutExpansion() throws {
        let (found, seconds) = try load(Self.billionLaughs)
        #expect(found == ["processes/bomb.xml:2:1: error: DOCTYPE is not allowed"])
        #expect(seconds < 5)
    }

    @Test func quadraticBlowUpIsRefused() throws {
        let (found, seconds) = try load(Self.quadratic)
        #expect(found == ["processes/bomb.xml:2:1: error: DOCTYPE is not allowed"])
        #expect(seconds < 5)
    }

    /// In UTF-16 the bytes `<!DOCTYPE` never appear; the parser's own DOCTYPE handler still stops it.
    @Test func doctypeInUTF16IsRefusedByTheParser() throws {
        let text = Self.billionLaughs.replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        let (found, seconds) = try load(text, encoding: .utf16)
        #expect(found.count == 1)
        #expect(found.first?.contains("DOCTYPE is not allowed") == true, "\(found)")
        #expect(seconds < 5)
    }

    /// Undeclared entities are an error, not an empty string; the predefined ones are fine.
    @Test func undeclaredEntityIsAnErrorAndPredefinedOnesWork() throws {
        let (found, _) = try load("<process id=\"p\"><description>&ent;</description></process>")
        #expect(found.count == 1)
        #expect(found.first?.contains("processes/bomb.xml:1:") == true)
        #expect(found.first?.contains("ent") == true, "\(found)")
    }
}
