import Foundation
import Testing

/// `docs/development.md` describes the package as it is: every target of `Package.swift` has a row
/// in its layout table, and every source path its "where does X live" table names exists.
@Suite("developer docs follow the package")
struct DevelopmentDocTests {
    let root = Harness.packageRoot

    func text(_ path: String) throws -> String {
        try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    /// The section of `docs/development.md` from `heading` to the next heading of its level or higher.
    func section(_ heading: String) throws -> String {
        let doc = try text("docs/development.md")
        let start = try #require(doc.range(of: heading + "\n"), "no '\(heading)' in docs/development.md")
        let level = heading.prefix(while: { $0 == "#" }).count
        let rest = doc[start.upperBound...]
        let next = rest.ranges(of: try Regex("\\n#{1,\(level)} ")).first
        return String(rest[..<(next?.lowerBound ?? rest.endIndex)])
    }

    @Test("every target of Package.swift has a row in the layout table")
    func everyTargetIsDescribed() throws {
        let manifest = try text("Package.swift")
        let declared = manifest.matches(of: /\.(?:target|executableTarget|systemLibrary)\(\s*name:\s*"(\w+)"/)
            .map { String($0.output.1) }
            .filter { $0 != "TestSupport" }
        #expect(declared.count >= 15, "found \(declared)")
        let layout = try section("## Package layout")
        // The first cell of each row: the target or targets it describes.
        let described = layout.split(separator: "\n").filter { $0.hasPrefix("| `") }
            .compactMap { $0.split(separator: "|").first.map(String.init) }
        for target in declared {
            #expect(described.contains { $0.contains("`\(target)`") }, "no row for target \(target) in docs/development.md")
            #expect(layout.contains(target), "target \(target) is not in the picture of docs/development.md")
        }
    }

    @Test("every source path the 'where does X live' table names exists")
    func everyPathExists() throws {
        let table = try section("### Where does X live").split(separator: "\n").filter { $0.hasPrefix("|") }
            .joined(separator: "\n")
        let paths = table.matches(of: /`([A-Za-z]+\/[^`\s]*)`/).map { String($0.output.1) }
        #expect(paths.count >= 20, "found \(paths)")
        for path in paths {
            let full = path.hasPrefix("docs/") ? path : "Sources/" + path
            #expect(exists(full), "docs/development.md names \(full), which does not exist")
        }
    }

    /// Whether `pattern` names something: a `<…>` segment matches any name, a `*` any run of
    /// characters within one segment.
    func exists(_ pattern: String) -> Bool {
        var candidates = [root]
        for segment in pattern.split(separator: "/").map(String.init) {
            candidates = candidates.flatMap { directory -> [String] in
                if !segment.contains("<") && !segment.contains("*") {
                    return FileManager.default.fileExists(atPath: directory + "/" + segment) ? [directory + "/" + segment] : []
                }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                return names.filter { matches($0, segment) }.map { directory + "/" + $0 }
            }
        }
        return !candidates.isEmpty
    }

    func matches(_ name: String, _ segment: String) -> Bool {
        if segment.hasPrefix("<") && segment.hasSuffix(">") { return true }
        let pieces = segment.replacing(/<[^>]*>/, with: "*").split(separator: "*", omittingEmptySubsequences: false)
        guard let first = pieces.first, let last = pieces.last, name.hasPrefix(first), name.hasSuffix(last) else {
            return false
        }
        return name.count >= first.count + last.count
    }
}
