/// The byte-level path of a ``CompiledMap`` whose source and target profiles are JSON (json or
/// bigquery-table): JSON bytes in, JSON bytes out, no ``JSONValue`` built.
///
/// One pass over the document records where the values the rules read lie and checks the source
/// profile; the rules then write the output bytes directly, in the member order and format the tree
/// path produces, checking the target profile as they go. Strings without escapes and numbers are
/// copied verbatim; `uppercase`, `lowercase` and `trim` work on ASCII bytes in place.
///
/// A map gets one (``CompiledMap/fastPath``) only when every rule is a plain `from` → `to` copy,
/// optionally through `uppercase`, `lowercase` or `trim`, with its `*` bound one-to-one, no
/// `<default>`, and profiles whose types the path can check. ``transform(_:scratch:)`` returns nil
/// for any document it does not handle with certainty (malformed, not matching a profile, escaped or
/// repeated keys among the members read, a value needing a rare conversion): the caller then uses
/// ``CompiledMap/transform(_:context:documentIndex:)``, which produces the error or the result.
/// Whenever both produce output, the bytes are identical.
public struct FastJSONMap: Sendable {
    let tables: FastPlanTables
    /// The map as a rename of a flat object's members, when it is only that.
    public let flatRenames: FlatRenames?

    /// Reusable buffers for ``FastJSONMap/transform(_:scratch:)``; keep one per loop over documents.
    ///
    /// Not copyable: the scanner and writer work through plain pointers into its buffers, without
    /// reference counting or uniqueness checks per document, and no two loops may share them.
    public struct Scratch: ~Copyable, @unchecked Sendable {
        /// The scanner's captures: the first `captureCount` those of the last document; grown
        /// (doubled) when a document has more.
        var captures = ScratchBuffer<FastCapture>()
        var captureCount = 0
        /// Per slot, the first of its captures (-1: none) and the last (when it has a first).
        var heads = ScratchBuffer<Int32>()
        var tails = ScratchBuffer<Int32>()
        /// Per rule, its next capture (-1: none left).
        var cursors = ScratchBuffer<Int32>()
        /// The writer's working buffer, grown (doubled) when a document does not fit.
        var buffer = ScratchBuffer<UInt8>()
        var output: [UInt8] = []
        /// Documents in a row that were not their own output (``FastMapWriter/outputIsInput``):
        /// past a few, the loop's documents are not checked any more (a stream is usually all
        /// compact or all spaced, and the check costs about 130 instructions when it fails late).
        var notOwnOutput = 0

        /// Empty buffers; they grow to the largest document seen.
        public init() {}
    }

    init?(rules: [CompiledRule], hasDefaults: Bool, source: ProfileCodec, target: ProfileCodec) {
        guard source.isJSON, target.isJSON else { return nil }
        do {
            tables = FastPlanTables(try FastMapPlan(rules: rules, hasDefaults: hasDefaults, source: source.shape,
                                                    target: target.shape))
        } catch {
            return nil
        }
        flatRenames = FlatRenames(rules: rules, tables: tables)
    }

    /// Maps one JSON document to the target's JSON bytes; nil when the tree path must handle it.
    public func transform(_ bytes: [UInt8], scratch: inout Scratch) -> [UInt8]? {
        let mapped = bytes.withUnsafeBufferPointer { buffer in
            transform(buffer, scratch: &scratch)
        }
        switch mapped {
        case .declined: return nil
        case .written: return scratch.output
        case .unchanged: return bytes
        }
    }

    /// Maps one JSON document in place: on success `bytes` holds the output and its old buffer
    /// stays in `scratch` for the next output (no allocation per document), or, when the output
    /// is the document itself, `bytes` is left as it is; false, with `bytes` unchanged, when the
    /// tree path must handle it.
    public func transform(_ bytes: inout [UInt8], scratch: inout Scratch) -> Bool {
        let mapped = bytes.withUnsafeBufferPointer { buffer in
            transform(buffer, scratch: &scratch)
        }
        if mapped == .written { swap(&bytes, &scratch.output) }
        return mapped != .declined
    }

    /// Documents in a row that are not their own output before a loop stops checking.
    static let checksWithoutOwnOutput = 8

    /// What mapping one document came to.
    enum Mapped: Equatable {
        /// The tree path must handle it.
        case declined
        /// The output is in `scratch.output`.
        case written
        /// The output is the document itself, byte for byte: nothing was written.
        case unchanged
    }

    /// Maps one JSON document, leaving the output in `scratch.output` unless it is the document itself.
    func transform(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> Mapped {
        guard scan(bytes, scratch: &scratch) else { return .declined }
        pointCursors(&scratch)
        if scratch.notOwnOutput < Self.checksWithoutOwnOutput {
            if FastMapWriter.outputIsInput(tables: tables, bytes: bytes, captures: UnsafeBufferPointer(scratch.captures.elements),
                                           cursors: scratch.cursors.elements) {
                scratch.notOwnOutput = 0
                return .unchanged
            }
            scratch.notOwnOutput += 1
        }
        // The writer works in `scratch.buffer`; when a document does not fit, the buffer doubles
        // and the document is written again.
        scratch.buffer.grow(to: max(256, 2 * bytes.count + 64), filler: 0)
        var first = true
        while true {
            guard let output = scratch.buffer.output else { return .declined }
            // The writer moves the cursors: pointed again for a second attempt.
            if !first { pointCursors(&scratch) }
            first = false
            var writer = FastMapWriter(tables: tables, bytes: bytes, captures: UnsafeBufferPointer(scratch.captures.elements),
                                       cursors: scratch.cursors.elements, output: output)
            let written = writer.writeObject(0, SIMD4(repeating: 0), 0)
            if writer.output.overflowed {
                scratch.buffer.grow(to: 2 * scratch.buffer.elements.count, filler: 0)
                continue
            }
            if written {
                // One replacement (the old bytes' buffer kept) costs less than emptying and appending.
                scratch.output.replaceSubrange(scratch.output.indices,
                                               with: UnsafeBufferPointer(rebasing: scratch.buffer.elements[..<writer.output.count]))
            }
            return written ? .written : .declined
        }
    }

    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> Bool {
        scratch.captures.grow(to: 64, filler: Self.emptyCapture)
        let slots = tables.slotCount
        scratch.heads.grow(to: slots, filler: -1)
        scratch.tails.grow(to: slots, filler: -1)
        let heads = scratch.heads.elements
        let tails = scratch.tails.elements
        while true {
            UnsafeMutableBufferPointer(rebasing: heads[..<slots]).update(repeating: -1)
            var scanner = FastScanner(bytes: bytes, nodes: tables.sourceNodes, members: tables.members,
                                      keys: tables.keyBytes, captures: scratch.captures.elements, heads: heads, tails: tails)
            let scanned = scanner.scanDocument()
            if scanner.capturesOverflowed {
                scratch.captures.grow(to: 2 * scratch.captures.elements.count, filler: Self.emptyCapture)
                continue
            }
            scratch.captureCount = scanner.captureCount
            return scanned
        }
    }

    private static let emptyCapture = FastCapture(start: 0, end: 0, next: -1, kind: .null, escaped: false,
                                                  nonASCII: false, indices: SIMD4(repeating: 0))

    /// Points each rule's cursor at the first capture of its slot.
    @inline(__always)
    private func pointCursors(_ scratch: inout Scratch) {
        let rules = tables.ruleSlots
        scratch.cursors.grow(to: rules.count, filler: -1)
        let cursors = scratch.cursors.elements
        let heads = scratch.heads.elements
        for (rule, slot) in rules.enumerated() { cursors[rule] = heads[slot] }
    }
}

/// A buffer of plain values owned by a ``FastJSONMap/Scratch``: every element initialized, its
/// count its capacity, freed with it.
struct ScratchBuffer<Element: BitwiseCopyable>: ~Copyable {
    private(set) var elements = UnsafeMutableBufferPointer<Element>(start: nil, count: 0)

    init() {}

    /// Makes room for at least `count` elements; a new buffer holds `filler` everywhere.
    @inline(__always)
    mutating func grow(to count: Int, filler: Element) {
        guard elements.count < count else { return }
        elements.deallocate()
        elements = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
        elements.initialize(repeating: filler)
    }

    deinit { elements.deallocate() }
}

extension ScratchBuffer where Element == UInt8 {
    /// An empty output over the whole buffer; nil before the buffer was first grown.
    var output: FastOutput? {
        elements.baseAddress.map { FastOutput(base: $0, capacity: elements.count) }
    }
}
