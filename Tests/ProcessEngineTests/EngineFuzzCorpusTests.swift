import Foundation
import Testing
@testable import ProcessEngine

/// Every committed seed of the paths fuzz corpus goes through the interpolation entry point.
@Suite struct EngineFuzzCorpusTests {
    static func corpus(_ name: String, file: String = #filePath) -> [(name: String, bytes: [UInt8])] {
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/\(name)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { entry in
            FileManager.default.contents(atPath: directory.appendingPathComponent(entry).path).map { (entry, [UInt8]($0)) }
        }
    }

    @Test func pathCorpusParsesAsInterpolatedText() {
        let files = Self.corpus("paths")
        #expect(files.count >= 4)
        for file in files {
            #expect(EngineFuzzing.interpolation(file.bytes) == [], "\(file.name)")
        }
    }
}
