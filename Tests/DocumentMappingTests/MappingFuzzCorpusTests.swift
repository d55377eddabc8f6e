import Foundation
import Testing
@testable import DocumentMapping

/// Every committed seed of the fuzz corpus goes through the entry points the fuzz targets call.
@Suite struct MappingFuzzCorpusTests {
    /// The files of `fuzz/corpus/<name>/`, read from the repository this file belongs to.
    static func corpus(_ name: String, file: String = #filePath) -> [(name: String, bytes: [UInt8])] {
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/\(name)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { entry in
            FileManager.default.contents(atPath: directory.appendingPathComponent(entry).path).map { (entry, [UInt8]($0)) }
        }
    }

    @Test func jsonCorpusRoundTripsAndBothMapPathsAgree() {
        let files = Self.corpus("json")
        #expect(files.count >= 4)
        #expect(MappingFuzzing.maps.count == 2)
        #expect(MappingFuzzing.maps.allSatisfy { $0.fastPath != nil })
        var scratch = FastJSONMap.Scratch()
        for file in files {
            #expect(MappingFuzzing.json(file.bytes, scratch: &scratch) == [], "\(file.name)")
        }
    }

    @Test func pathCorpusParsesAndSelects() {
        let files = Self.corpus("paths")
        #expect(files.count >= 4)
        for file in files {
            #expect(MappingFuzzing.path(file.bytes) == [], "\(file.name)")
        }
    }

    @Test func loaderCorpusReadsAsUntypedXML() {
        for file in Self.corpus("loader") {
            #expect(MappingFuzzing.untypedXML(file.bytes) == [], "\(file.name)")
        }
    }

    /// Found by the fuzzer: the byte-level path mapped a `null` document to `{}` where the tree
    /// path (rightly) refuses a root that is not an object.
    @Test(arguments: ["null", " null\n", "[]", "[{\"a\":1}]", "1", "\"x\"", "true"])
    func rootsOtherThanObjectsAreLeftToTheTreePath(_ text: String) {
        var scratch = FastJSONMap.Scratch()
        #expect(MappingFuzzing.json(Array(text.utf8), scratch: &scratch) == [])
        for map in MappingFuzzing.maps {
            #expect(map.fastPath?.transform(Array(text.utf8), scratch: &scratch) == nil, "\(map.id)")
            #expect(throws: (any Error).self) {
                try map.transform(Array(text.utf8), context: MapContext(), documentIndex: 0)
            }
        }
    }
}
