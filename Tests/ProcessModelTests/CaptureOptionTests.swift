import Foundation
import Testing
@testable import ProcessModel

/// `captureDocuments` and `captureLimit` on `<process>`: defaults, accepted values, clear errors.
@Suite struct CaptureOptionTests {
    /// A workspace with one process whose root element carries `attributes`.
    static func load(_ attributes: String) throws -> (ProcessDefinition?, [String]) {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try write("""
            <process id="p" \(attributes)>
              <shapes>
                <start id="start" next="done"><noData/></start>
                <stop id="done"/>
              </shapes>
            </process>
            """, to: "processes/p.xml", in: root)
        let loader = WorkspaceLoader(root: root.path, environment: [:], secrets: DictionarySecrets())
        do {
            return (try loader.load().processes["p"], [])
        } catch {
            return (nil, lines(error.diagnostics))
        }
    }

    @Test("the defaults are errors and 64KB; none, errors and all are read with sizes in B, KB and MB")
    func valuesAreRead() throws {
        let (plain, _) = try Self.load("")
        #expect(plain?.captureDocuments == .errors)
        #expect(plain?.captureLimit == 64 * 1024)
        for (text, mode) in [("none", DocumentCaptureMode.none), ("errors", .errors), ("all", .all)] {
            let (process, problems) = try Self.load(#"captureDocuments="\#(text)""#)
            #expect(process?.captureDocuments == mode, "\(problems)")
        }
        for (text, bytes) in [("1KB", 1024), ("100", 100), ("2MB", 2 << 20), ("16MB", 16 << 20), ("512B", 512)] {
            let (process, problems) = try Self.load(#"captureLimit="\#(text)""#)
            #expect(process?.captureLimit == bytes, "\(text): \(problems)")
        }
    }

    @Test("a bad mode or limit is an error naming the file and line")
    func badValuesAreReported() throws {
        let (_, mode) = try Self.load(#"captureDocuments="failed""#)
        #expect(mode.first?.contains("processes/p.xml:1") == true, "\(mode)")
        #expect(mode.first?.contains("captureDocuments") == true, "\(mode)")
        for text in ["lots", "0", "-1KB", "17MB"] {
            let (_, problems) = try Self.load(#"captureLimit="\#(text)""#)
            #expect(problems.count == 1 && problems.first?.contains("processes/p.xml:1") == true, "\(text): \(problems)")
            #expect(problems.first?.contains("captureLimit") == true && problems.first?.contains(text) == true,
                    "\(text): \(problems)")
        }
        let (_, above) = try Self.load(#"captureLimit="17MB""#)
        #expect(above.first?.contains("above the maximum of 16MB") == true, "\(above)")
    }

    @Test("retryFrom is shape by default, start when asked; another value is an error naming the file and line")
    func retryFromIsRead() throws {
        #expect(try Self.load("").0?.retryFrom == .shape)
        #expect(try Self.load(#"retryFrom="shape""#).0?.retryFrom == .shape)
        #expect(try Self.load(#"retryFrom="start""#).0?.retryFrom == .start)
        let (_, problems) = try Self.load(#"retryFrom="middle""#)
        #expect(problems.count == 1 && problems.first?.contains("processes/p.xml:1") == true, "\(problems)")
        #expect(problems.first?.contains("retryFrom") == true && problems.first?.contains("middle") == true, "\(problems)")
    }
}
