import Foundation
import Testing
@testable import ProcessModel

/// Every committed seed of the fuzz corpus goes through the entry points the fuzz targets call.
@Suite struct ModelFuzzCorpusTests {
    /// The files of `fuzz/corpus/<name>/`, read from the repository this file belongs to.
    static func corpus(_ name: String, file: String = #filePath) -> [(name: String, bytes: [UInt8])] {
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/\(name)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { entry in
            FileManager.default.contents(atPath: directory.appendingPathComponent(entry).path).map { (entry, [UInt8]($0)) }
        }
    }

    @Test func loaderCorpusLoadsWithoutBrokenInvariants() {
        let files = Self.corpus("loader")
        #expect(files.count >= 10)
        var fuzzer = ComponentFuzzer()
        for file in files {
            #expect(fuzzer.run(file.bytes) == [], "\(file.name)")
        }
    }

    @Test func seedComponentsOfTheCorpusAreValid() throws {
        // The seeds taken from the workspace load cleanly, so the fuzzer starts from deep paths.
        var schemas = SchemaCatalog()
        for file in Self.corpus("loader") where !["doctype-entity.xml", "untyped.xml"].contains(file.name) {
            var components = LoadedComponents()
            var substitution = Substitution(environment: ["HOME": "/h"], secrets: FuzzSecrets())
            var component = ComponentFile(path: "processes/\(file.name)", bytes: file.bytes)
            component.load(schemas: &schemas, substitution: &substitution, into: &components)
            #expect(component.diagnostics == [], "\(file.name)")
        }
    }

    @Test func cronCorpusComputesFireTimes() {
        let files = Self.corpus("cron")
        #expect(files.count >= 5)
        for file in files {
            #expect(ModelFuzzing.cron(file.bytes) == [], "\(file.name)")
        }
    }

    @Test func substitutionNeverLeaksTheSecret() {
        for file in Self.corpus("paths") + Self.corpus("loader") {
            #expect(ModelFuzzing.substitution(file.bytes) == [], "\(file.name)")
        }
    }
}
