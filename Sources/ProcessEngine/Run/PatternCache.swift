import Foundation
import Synchronization

/// Compiled whole-value patterns of one decision shape, keyed by the pattern text: a static
/// pattern compiles once per execution, a dynamic one once per distinct value.
final class PatternCache: Sendable {
    /// Patterns kept at most; past that the cache starts over (a pattern per document, say).
    static let capacity = 1_024

    private let entries = Mutex<[String: Result<NSRegularExpression, DocumentError>]>([:])
    private let compiledCount = Atomic<Int>(0)

    init() {}

    /// How many times a pattern was compiled (for tests and diagnostics).
    var compilations: Int { compiledCount.load(ordering: .relaxed) }

    /// The expression matching the whole of a value against `pattern`.
    /// - Parameter what: how errors name the pattern ("regular expression", "wildcard").
    func expression(for pattern: String, what: String) throws(DocumentError) -> NSRegularExpression {
        let key = what + "\u{0}" + pattern
        // Looked up and compiled under one lock, so that lanes meeting a new pattern at the
        // same moment compile it once between them.
        let result = entries.withLock { entries in
            if let cached = entries[key] { return cached }
            compiledCount.wrappingAdd(1, ordering: .relaxed)
            let compiled = Self.compile(pattern, what: what)
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = compiled
            return compiled
        }
        return try result.get()
    }

    /// Compiles `pattern` anchored at both ends.
    static func compile(_ pattern: String, what: String) -> Result<NSRegularExpression, DocumentError> {
        do {
            // Compiled alone first, so that a pattern that only "works" inside the group is refused.
            _ = try NSRegularExpression(pattern: pattern)
            return .success(try NSRegularExpression(pattern: "^(?:" + pattern + ")$"))
        } catch {
            return .failure(DocumentError("'\(pattern)' is not a valid \(what)", code: .setting))
        }
    }
}
