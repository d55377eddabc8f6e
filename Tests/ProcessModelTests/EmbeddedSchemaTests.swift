import Foundation
@testable import ProcessModel
import Testing

/// The schemas compiled into the binary are the files in `Sources/ProcessModel/Schemas`, byte for
/// byte: after editing a schema, run `scripts/embed-schemas.py`.
@Suite struct EmbeddedSchemaTests {
    private var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/ProcessModel/Schemas")
    }

    @Test func embeddedSchemasAreTheSchemaFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xsd") }
        #expect(Set(files.map { String($0.dropLast(4)) }) == Set(EmbeddedSchemas.texts.keys),
                "run scripts/embed-schemas.py")
        for file in files {
            let name = String(file.dropLast(4))
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(EmbeddedSchemas.texts[name] == text, "\(file) differs from its embedded copy: run scripts/embed-schemas.py")
        }
    }

    @Test func everyComponentKindHasItsSchema() throws {
        for kind in ComponentKind.allCases {
            _ = try XMLSchema.load(kind)
        }
        #expect(throws: SchemaLoadError.self) { try XMLSchema.load(named: "no-such-schema") }
    }

    /// The element names a schema declares (they make "unknown element" messages suggest the
    /// right names) are found from its bytes: the same names a plain search of its text finds.
    @Test func declaredElementNamesAreEveryDeclaration() throws {
        func byText(_ text: String) -> Set<String> {
            var names: Set<String> = []
            var rest = Substring(text)
            while let range = rest.range(of: #"<xs:element name=""#) {
                rest = rest[range.upperBound...]
                if let end = rest.firstIndex(of: "\"") { names.insert(String(rest[..<end])) }
            }
            return names
        }
        for (name, text) in EmbeddedSchemas.texts {
            let names = XMLSchema.elementNames(in: Array(text.utf8))
            #expect(names == byText(text), "\(name)")
            #expect(names.count > 1 || name == "trackedFields", "\(name): \(names)")
        }
        #expect(try XMLSchema.load(.process).declaredElements.isSuperset(of: ["start", "map", "stop", "connector"]))
        let edges = #"<xs:element name="a"/><xs:element<xs:element name="b" <xs:element name="#
        #expect(XMLSchema.elementNames(in: Array(edges.utf8)) == ["a", "b"])
        #expect(XMLSchema.elementNames(in: []) == [])
    }
}
