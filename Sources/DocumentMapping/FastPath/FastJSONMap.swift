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

    /// Reusable buffers for ``FastJSONMap/transform(_:scratch:)``; keep one per loop over documents.
    public struct Scratch: Sendable {
        /// The scanner's captures: every element initialized, the first `captureCount` those of the
        /// last document; grown (doubled) when a document has more.
        var captures: [FastCapture] = []
        var captureCount = 0
        /// The last document's captures are already in slot order: the writer reads `captures`,
        /// and `grouped` is not filled.
        var capturesInSlotOrder = false
        var grouped: [FastCapture] = []
        var cursors: [Int] = []
        var ends: [Int] = []
        var starts: [Int] = []
        var output: [UInt8] = []
        /// The writer's working buffer: every byte initialized, grown (doubled) when a document does not fit.
        var buffer: [UInt8] = []
        var text: [UInt8] = []

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
    }

    /// Maps one JSON document to the target's JSON bytes; nil when the tree path must handle it.
    public func transform(_ bytes: [UInt8], scratch: inout Scratch) -> [UInt8]? {
        let handled = bytes.withUnsafeBufferPointer { buffer in
            transform(buffer, scratch: &scratch)
        }
        return handled ? scratch.output : nil
    }

    /// Maps one JSON document in place: on success `bytes` holds the output and its old buffer
    /// stays in `scratch` for the next output (no allocation per document); false, with `bytes`
    /// unchanged, when the tree path must handle it.
    public func transform(_ bytes: inout [UInt8], scratch: inout Scratch) -> Bool {
        let handled = bytes.withUnsafeBufferPointer { buffer in
            transform(buffer, scratch: &scratch)
        }
        if handled { swap(&bytes, &scratch.output) }
        return handled
    }

    /// Maps one JSON document, leaving the output in `scratch.output`; false when the tree path must handle it.
    func transform(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> Bool {
        guard scan(bytes, scratch: &scratch) else { return false }
        // The writer works in `scratch.buffer` (all of it initialized, its count its capacity); when
        // a document does not fit, the buffer doubles and the document is written again.
        let needed = max(256, 2 * bytes.count + 64)
        if scratch.buffer.count < needed { scratch.buffer = [UInt8](repeating: 0, count: needed) }
        while true {
            group(&scratch)
            var buffer = scratch.buffer
            var text = scratch.text
            scratch.buffer = []
            scratch.text = []
            let (written, count, overflowed) = buffer.withUnsafeMutableBufferPointer { buffer in
                write(bytes, buffer, &scratch, text: &text)
            }
            scratch.text = text
            if overflowed {
                scratch.buffer = [UInt8](repeating: 0, count: 2 * buffer.count)
                continue
            }
            if written {
                scratch.output.removeAll(keepingCapacity: true)
                buffer.withUnsafeBufferPointer { scratch.output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<count])) }
            }
            scratch.buffer = buffer
            return written
        }
    }

    /// Runs the writer over the grouped captures into `buffer`: whether it wrote the document, how
    /// many bytes, and whether they did not fit.
    private func write(_ bytes: UnsafeBufferPointer<UInt8>, _ buffer: UnsafeMutableBufferPointer<UInt8>,
                       _ scratch: inout Scratch, text: inout [UInt8]) -> (Bool, Int, Bool) {
        guard let base = buffer.baseAddress else { return (false, 0, true) }
        let grouped = scratch.capturesInSlotOrder ? scratch.captures : scratch.grouped
        let ends = scratch.ends
        var cursors = scratch.cursors
        scratch.cursors = []
        defer { scratch.cursors = cursors }
        return grouped.withUnsafeBufferPointer { captures in
            ends.withUnsafeBufferPointer { ends in
                cursors.withUnsafeMutableBufferPointer { cursors in
                    var writer = FastMapWriter(tables: tables, bytes: bytes, captures: captures, cursors: cursors,
                                               ends: ends, output: FastOutput(base: base, capacity: buffer.count),
                                               text: text)
                    text = []
                    let done = writer.writeObject(0, SIMD4(repeating: 0), 0)
                    swap(&text, &writer.text)
                    return (done && !writer.output.overflowed, writer.output.count, writer.output.overflowed)
                }
            }
        }
    }

    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> Bool {
        if scratch.captures.count < 64 { scratch.captures = Self.emptyCaptures(64) }
        while true {
            let (scanned, count, overflowed, inSlotOrder) = scratch.captures.withUnsafeMutableBufferPointer { captures in
                var scanner = FastScanner(bytes: bytes, nodes: tables.sourceNodes, members: tables.members,
                                          keys: tables.keyBytes, captures: captures)
                let scanned = scanner.scanDocument()
                return (scanned, scanner.captureCount, scanner.capturesOverflowed, scanner.capturesInSlotOrder)
            }
            if overflowed {
                scratch.captures = Self.emptyCaptures(2 * scratch.captures.count)
                continue
            }
            scratch.captureCount = count
            scratch.capturesInSlotOrder = inSlotOrder
            return scanned
        }
    }

    private static func emptyCaptures(_ count: Int) -> [FastCapture] {
        [FastCapture](repeating: FastCapture(slot: 0, start: 0, end: 0, kind: .null, escaped: false, nonASCII: false,
                                             indices: SIMD4(repeating: 0)), count: count)
    }

    /// Orders the captures by slot (stable) and points each rule's cursor at its slot's first;
    /// captures already in slot order stay where they are. The buffers keep their sizes between
    /// documents (`grouped` may be longer than the captures).
    private func group(_ scratch: inout Scratch) {
        let slots = tables.slotCount
        let rules = tables.ruleSlots
        let count = scratch.captureCount
        if scratch.starts.count != slots + 1 { scratch.starts = [Int](repeating: 0, count: slots + 1) }
        if scratch.cursors.count != rules.count { scratch.cursors = [Int](repeating: 0, count: rules.count) }
        if scratch.ends.count != rules.count { scratch.ends = [Int](repeating: 0, count: rules.count) }
        let inSlotOrder = scratch.capturesInSlotOrder
        if !inSlotOrder, scratch.grouped.count < count, let first = scratch.captures.first {
            scratch.grouped.append(contentsOf: repeatElement(first, count: count - scratch.grouped.count))
        }
        var starts = scratch.starts
        var cursors = scratch.cursors
        var ends = scratch.ends
        var grouped = scratch.grouped
        scratch.starts = []
        scratch.cursors = []
        scratch.ends = []
        scratch.grouped = []
        scratch.captures.withUnsafeBufferPointer { allCaptures in
            let captures = UnsafeBufferPointer(rebasing: allCaptures[..<count])
            starts.withUnsafeMutableBufferPointer { starts in
                for slot in starts.indices { starts[slot] = 0 }
                for capture in captures { starts[Int(capture.slot) + 1] += 1 }
                for slot in 0..<slots { starts[slot + 1] += starts[slot] }
                cursors.withUnsafeMutableBufferPointer { cursors in
                    ends.withUnsafeMutableBufferPointer { ends in
                        for (rule, slot) in rules.enumerated() {
                            cursors[rule] = starts[slot]
                            ends[rule] = starts[slot + 1]
                        }
                    }
                }
                // `starts` becomes each slot's next free position.
                guard !inSlotOrder else { return }
                grouped.withUnsafeMutableBufferPointer { grouped in
                    for capture in captures {
                        let slot = Int(capture.slot)
                        grouped[starts[slot]] = capture
                        starts[slot] += 1
                    }
                }
            }
        }
        scratch.grouped = grouped
        scratch.starts = starts
        scratch.cursors = cursors
        scratch.ends = ends
    }
}
