import Foundation
import ProcessModel
import Testing
@testable import DocumentMapping

/// Documents read as XML (without a profile, or with an xml profile) never declare, load or
/// expand entities: a DOCTYPE is refused, however it is encoded.
@Suite struct SecurityXMLDocumentTests {
    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE order [
          <!ENTITY lol "lol">
        \((1...9).map { level in
            "  <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
        }.joined(separator: "\n"))
        ]>
        <order><id>&lol9;</id></order>
        """

    static let external = """
        <?xml version="1.0"?>
        <!DOCTYPE order [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <order><id>&x;</id></order>
        """

    static let profile = ProfileDefinition(id: "order", type: .xml, elements: [
        ProfileElement(name: "order", type: "object", children: [
            ProfileElement(name: "id", type: "character", location: SourceLocation(file: "p.xml", line: 1)),
        ], location: SourceLocation(file: "p.xml", line: 1)),
    ], location: SourceLocation(file: "p.xml", line: 1))

    func untypedError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try UntypedDocument.parseXML(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    func profileError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ProfileCodec(profile: Self.profile).read(bytes, documentIndex: 0)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [billionLaughs, external])
    func doctypeDocumentsAreRefusedQuickly(_ text: String) {
        let started = Date()
        #expect(untypedError(Array(text.utf8)) == "not well-formed XML (line 2): DOCTYPE is not allowed in documents")
        #expect(profileError(Array(text.utf8))?.contains("DOCTYPE is not allowed in documents") == true)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test(arguments: [billionLaughs, external])
    func doctypeInUTF16IsRefusedByTheParser(_ text: String) throws {
        let utf16 = text.replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        let bytes = try #require(utf16.data(using: .utf16)).map { $0 }
        #expect(untypedError(bytes)?.contains("DOCTYPE is not allowed in documents") == true, "\(untypedError(bytes) ?? "read")")
        #expect(profileError(bytes)?.contains("DOCTYPE") == true, "\(profileError(bytes) ?? "read")")
    }

    @Test func theFileNamedByAnEntityNeverReachesTheValue() {
        // Even if the refusal were bypassed, no value may carry the file's content.
        let value = try? UntypedDocument.parseXML(Array(Self.external.utf8))
        #expect(value == nil)
        #expect(!(value?.jsonString.contains("root:") ?? false))
    }
}
