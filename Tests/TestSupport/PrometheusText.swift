import Foundation

/// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests of
/// `GET /metrics`: every line must be a `# HELP`, a `# TYPE` or a sample of a declared metric.
public struct PrometheusText {
    /// Sample values by the sample as written before its value: `name{label="value",…}`.
    public private(set) var samples: [String: Double] = [:]
    /// The declared type of each metric family.
    public private(set) var types: [String: String] = [:]
    /// The help text of each metric family.
    public private(set) var help: [String: String] = [:]
    /// Lines that are not valid exposition format, with their line numbers.
    public private(set) var problems: [String] = []

    private static let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
    private static let labelPair = #"[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*""#
    private static let value = #"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)"#
    private static let helpLine = try? NSRegularExpression(pattern: "^# HELP (\(name)) (.*)$")
    private static let typeLine = try? NSRegularExpression(
        pattern: "^# TYPE (\(name)) (counter|gauge|histogram|summary|untyped)$")
    private static let sampleLine = try? NSRegularExpression(
        pattern: "^((\(name))(?:\\{(?:\(labelPair)(?:,\(labelPair))*,?)?\\})?) (\(value))(?: -?[0-9]+)?$")

    /// Reads an exposition.
    public init(_ text: String) {
        guard let helpLine = Self.helpLine, let typeLine = Self.typeLine, let sampleLine = Self.sampleLine else {
            problems.append("the test's patterns do not compile")
            return
        }
        if !text.isEmpty && !text.hasSuffix("\n") { problems.append("the exposition does not end with a line feed") }
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let line = String(line)
            let range = NSRange(line.startIndex..., in: line)
            func group(_ match: NSTextCheckingResult, _ index: Int) -> String {
                Range(match.range(at: index), in: line).map { String(line[$0]) } ?? ""
            }
            if let match = helpLine.firstMatch(in: line, range: range) {
                help[group(match, 1)] = group(match, 2)
            } else if let match = typeLine.firstMatch(in: line, range: range) {
                let family = group(match, 1)
                if types[family] != nil { problems.append("line \(number + 1): a second TYPE for \(family)") }
                types[family] = group(match, 2)
            } else if let match = sampleLine.firstMatch(in: line, range: range) {
                let sample = group(match, 1)
                let metric = group(match, 2)
                guard declaredFamily(of: metric) != nil else {
                    problems.append("line \(number + 1): sample of \(metric) before its TYPE: \(line)")
                    continue
                }
                if samples[sample] != nil { problems.append("line \(number + 1): a second sample \(sample)") }
                samples[sample] = Double(group(match, 3).replacingOccurrences(of: "Inf", with: "infinity"))
            } else {
                problems.append("line \(number + 1) is not exposition format: \(line)")
            }
        }
    }

    /// The family a sample's metric belongs to (a histogram's `_bucket`, `_sum` and `_count` belong
    /// to the histogram), when its TYPE was declared.
    private func declaredFamily(of metric: String) -> String? {
        if types[metric] != nil { return metric }
        for suffix in ["_bucket", "_sum", "_count"] where metric.hasSuffix(suffix) {
            let family = String(metric.dropLast(suffix.count))
            if types[family] == "histogram" || types[family] == "summary" { return family }
        }
        return nil
    }
}
