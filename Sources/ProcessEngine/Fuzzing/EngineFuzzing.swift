import Foundation

/// Entry points that run arbitrary bytes through the parsers of this module.
///
/// The fuzz targets and the corpus tests call the same functions. Each returns the broken
/// invariants it noticed (empty when all is well); crashes and hangs are for the caller to see.
package enum EngineFuzzing {
    /// Parses `bytes` as an interpolated text (`{name}`, `{process:…}`, `{execution:…}`) and
    /// renders it for a document that has the property `p`.
    package static func interpolation(_ bytes: [UInt8]) -> [String] {
        let template = String(decoding: bytes, as: UTF8.self)
        guard let text = try? InterpolatedText(template) else { return [] }
        let document = Document(data: [], properties: ["p": "P"])
        let execution = ExecutionInfo(id: "ex-1", processID: "fuzz", processName: "Fuzz",
                                      startTime: Date(timeIntervalSince1970: 0), trigger: .manual)
        let rendered = try? text.render(document: document, processProperties: ["q": "Q"], execution: execution)
        if text.isConstant, rendered == nil {
            return ["'\(template)' is constant but does not render"]
        }
        return []
    }
}
