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
}
