import ConveyorBase

/// Writes the target JSON of one document from the scanner's captures, member by member in the
/// order the tree path creates them, checking the target profile on the way.
///
/// The tree path adds an object member when the first rule writing beneath it runs, so members
/// come in the order of the first rule that wrote under each for this document; arrays grow to
/// their highest written index, with `{}` (object elements) or `null` in the gaps.
/// Every method returns `false` when the document must go through the tree path instead.
struct FastMapWriter {
    /// Not retained: the writer lives within one ``FastJSONMap/transform(_:scratch:)`` call, whose
    /// map holds the tables (a retain and a release per document otherwise).
    unowned(unsafe) let tables: FastPlanTables
    let bytes: UnsafeBufferPointer<UInt8>
    /// The scanner's captures, each slot's linked in document order.
    let captures: UnsafeBufferPointer<FastCapture>
    /// Per rule: its next capture, -1 when none is left.
    let cursors: UnsafeMutableBufferPointer<Int32>
    var output: FastOutput


    /// Whether rule `rule`'s next capture lies under the instance with index prefix `prefix` (first `level`).
    /// Inlined: a call would copy the writer for it, and reading back the output's count just
    /// written stalls the copy.
    @inline(__always)
    private func hasMatch(_ rule: Int, _ prefix: SIMD4<Int32>, _ level: Int) -> Bool {
        let cursor = cursors[rule]
        guard cursor >= 0 else { return false }
        let indices = captures[Int(cursor)].indices
        for position in 0..<level where indices[position] != prefix[position] { return false }
        return true
    }

    mutating func writeObject(_ node: Int, _ prefix: SIMD4<Int32>, _ level: Int) -> Bool {
        let info = tables.outNodes[node]
        guard !info.invalid, !info.missingRequired else { return false }
        output.append(UInt8(ascii: "{"))
        var written: UInt64 = 0
        var nulls: UInt64 = 0
        let members = UnsafeBufferPointer(rebasing:
            tables.outMembers[Int(info.rulesStart)..<Int(info.rulesStart + info.rulesCount)])
        for member in members {
            let rule = Int(member.rule)
            let bit = member.bit
            guard written & bit == 0, hasMatch(rule, prefix, level) else { continue }
            if written != 0 { output.append(UInt8(ascii: ",")) }
            written |= bit
            appendKey(member)
            var wroteNull = false
            let wrote: Bool
            switch member.kind {
            case .leaf:
                // A leaf more than one rule writes, or one the target profile refuses: the tree
                // path decides.
                guard member.ownLeaf else { return false }
                wrote = writeMatchedLeaf(rule, wroteNull: &wroteNull)
            case .object: wrote = writeObject(Int(member.child), prefix, level)
            case .array: wrote = writeArray(Int(member.child), prefix, level)
            }
            guard wrote else { return false }
            if wroteNull { nulls |= bit }
        }
        output.append(UInt8(ascii: "}"))
        return info.requiredMask & written & ~nulls == info.requiredMask
    }

    @inline(__always)
    private mutating func write(_ node: Int, _ prefix: SIMD4<Int32>, _ level: Int, wroteNull: inout Bool) -> Bool {
        switch tables.outNodes[node].kind {
        case .object: return writeObject(node, prefix, level)
        case .array: return writeArray(node, prefix, level)
        case .leaf: return writeLeaf(node, prefix, level, wroteNull: &wroteNull)
        }
    }

    private mutating func writeArray(_ node: Int, _ prefix: SIMD4<Int32>, _ level: Int) -> Bool {
        let info = tables.outNodes[node]
        guard !info.invalid else { return false }
        let rules = UnsafeBufferPointer(rebasing:
            tables.outRefs[Int(info.rulesStart)..<Int(info.rulesStart + info.rulesCount)])
        var highest: Int32 = -1
        for rule in rules {
            var cursor = cursors[Int(rule)]
            while cursor >= 0 {
                let capture = captures[Int(cursor)]
                var inside = true
                for position in 0..<level where capture.indices[position] != prefix[position] { inside = false }
                guard inside else { break }
                highest = max(highest, capture.indices[level])
                cursor = capture.next
            }
        }
        let element = Int(info.element)
        let elementIsObject = tables.outNodes[element].kind == .object
        output.append(UInt8(ascii: "["))
        var position: Int32 = 0
        while position <= highest {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            var inner = prefix
            inner[level] = position
            var written = elementIsObject
            for rule in rules where !written { written = hasMatch(Int(rule), inner, level + 1) }
            if written {
                var wroteNull = false
                guard write(element, inner, level + 1, wroteNull: &wroteNull) else { return false }
            } else {
                guard !info.nullInvalid else { return false }
                appendNull()
            }
            position += 1
        }
        output.append(UInt8(ascii: "]"))
        return true
    }

    /// Writes one leaf (an array's element) when its rule has a value under `prefix`.
    @inline(__always)
    private mutating func writeLeaf(_ node: Int, _ prefix: SIMD4<Int32>, _ level: Int, wroteNull: inout Bool) -> Bool {
        let info = tables.outNodes[node]
        let rule = Int(info.rule)
        guard !info.invalid, hasMatch(rule, prefix, level) else { return false }
        return writeMatchedLeaf(rule, wroteNull: &wroteNull)
    }

    /// Writes the next value of rule `rule`, which has one under the instance being written. A
    /// value copied as it is (a string without escapes, a number, a boolean, with no text
    /// function) is written here, inlined into the loops of objects and arrays; every other goes
    /// to ``writeConvertedLeaf(rule:wroteNull:)``.
    @inline(__always)
    private mutating func writeMatchedLeaf(_ rule: Int, wroteNull: inout Bool) -> Bool {
        let capture = captures[Int(cursors[rule])]
        if Self.isCopiedVerbatim(capture, tables.leafModes[rule]) {
            cursors[rule] = capture.next
            append(capture)
            return true
        }
        return writeConvertedLeaf(rule: rule, wroteNull: &wroteNull)
    }

    /// The value is written as its bytes in the document: no text function, no escape, and a
    /// string, number or boolean the leaf keeps as it is.
    @inline(__always)
    static func isCopiedVerbatim(_ capture: FastCapture, _ leaf: FastLeafMode) -> Bool {
        guard leaf.operationCount == 0, !capture.escaped else { return false }
        switch (leaf.mode, capture.kind) {
        case (.keep, .string), (.text, .string), (.keep, .number), (.keep, .true), (.keep, .false), (.number, .number):
            return true
        default:
            return false
        }
    }

    /// Whether ``writeObject(_:_:_:)`` on the root would write the document itself, byte for byte,
    /// and succeed: the target is a flat object whose members are leaves copied verbatim, and the
    /// document holds exactly those members, in that order, with the same keys and no whitespace.
    /// The map then has nothing to write. Reads the cursors without moving them; false says
    /// nothing about whether the document maps.
    static func outputIsInput(tables: FastPlanTables, bytes: UnsafeBufferPointer<UInt8>,
                              captures: UnsafeBufferPointer<FastCapture>, cursors: UnsafeMutableBufferPointer<Int32>) -> Bool {
        guard let info = tables.outNodes.first, info.kind == .object, !info.invalid, !info.missingRequired,
              let base = bytes.baseAddress, let keys = tables.outKeys.baseAddress, bytes.count >= 2,
              bytes[0] == UInt8(ascii: "{"), bytes[bytes.count &- 1] == UInt8(ascii: "}") else { return false }
        let end = bytes.count &- 1
        var at = 1
        var written: UInt64 = 0
        for member in UnsafeBufferPointer(rebasing: tables.outMembers[Int(info.rulesStart)..<Int(info.rulesStart + info.rulesCount)]) {
            let rule = Int(member.rule)
            // As `writeObject` goes: a member already written, or without a value, is skipped.
            guard written & member.bit == 0 else { continue }
            let cursor = cursors[rule]
            guard cursor >= 0 else { continue }
            guard member.kind == .leaf, member.ownLeaf else { return false }
            if written != 0 {
                guard at < end, bytes[at] == UInt8(ascii: ",") else { return false }
                at &+= 1
            }
            written |= member.bit
            let keyCount = Int(member.keyCount)
            guard keyCount <= end &- at else { return false }
            // The key table is padded (``FastPlanTables/outKeys``).
            guard JSONBytes.matches(base + at, readable: bytes.count &- at, padded: keys + Int(member.keyStart),
                                    count: keyCount) else { return false }
            at &+= keyCount
            let capture = captures[Int(cursor)]
            guard Int(capture.start) == at, isCopiedVerbatim(capture, tables.leafModes[rule]) else { return false }
            at = Int(capture.end)
        }
        return at == end && info.requiredMask & written == info.requiredMask
    }

    /// The leaf of rule `rule` (matched by ``writeMatchedLeaf(_:wroteNull:)``) when it is not copied as
    /// it is: null, text functions, conversions and escaped strings.
    @inline(never)
    private mutating func writeConvertedLeaf(rule: Int, wroteNull: inout Bool) -> Bool {
        let capture = captures[Int(cursors[rule])]
        cursors[rule] = capture.next
        let leaf = tables.leafModes[rule]
        if capture.kind == .null {
            // Text functions and every conversion keep null.
            guard !leaf.nullInvalid else { return false }
            wroteNull = true
            appendNull()
            return true
        }
        if leaf.operationCount > 0 {
            guard capture.kind == .string, !capture.escaped, !capture.nonASCII,
                  leaf.mode == .text || leaf.mode == .keep else { return writeGeneric(rule, capture, wroteNull: &wroteNull) }
            output.append(UInt8(ascii: "\""))
            transformASCII(capture, leaf)
            output.append(UInt8(ascii: "\""))
            return true
        }
        switch (leaf.mode, capture.kind) {
        case (.text, .number), (.text, .true), (.text, .false):
            output.append(UInt8(ascii: "\""))
            append(capture)
            output.append(UInt8(ascii: "\""))
        case (.int64, .number):
            let start = Int(capture.start)
            let end = Int(capture.end)
            var digits = true
            for position in start..<end where bytes[position] == UInt8(ascii: ".") || bytes[position] | 0x20 == UInt8(ascii: "e") {
                digits = false
            }
            guard digits, end - start <= 18 else { return writeGeneric(rule, capture, wroteNull: &wroteNull) }
            if end - start == 2, bytes[start] == UInt8(ascii: "-"), bytes[start + 1] == UInt8(ascii: "0") {
                output.append(UInt8(ascii: "0"))
            } else {
                append(capture)
            }
        default:
            // Escaped strings (plain values were written by `writeLeaf`) and every other conversion.
            return writeGeneric(rule, capture, wroteNull: &wroteNull)
        }
        return true
    }

    @inline(__always)
    private mutating func append(_ capture: FastCapture) {
        let start = Int(capture.start)
        guard let base = bytes.baseAddress, capture.end > capture.start else { return }
        output.append(base + start, count: Int(capture.end) - start, readable: bytes.count - start)
    }

    /// The key of `member` (with its quotes and colon): the key table is padded so that every key
    /// may be read in one short move.
    @inline(__always)
    private mutating func appendKey(_ member: FastOutMember) {
        guard let base = tables.outKeys.baseAddress, member.keyCount > 0 else { return }
        output.append(base + Int(member.keyStart), count: Int(member.keyCount),
                      readable: FastOutput.shortRun + Int(member.keyCount))
    }

    private mutating func appendNull() {
        output.append(UInt8(ascii: "n"))
        output.append(UInt8(ascii: "u"))
        output.append(UInt8(ascii: "l"))
        output.append(UInt8(ascii: "l"))
    }

    /// Writes an ASCII string without escapes (without its quotes) through ASCII text functions.
    private mutating func transformASCII(_ capture: FastCapture, _ leaf: FastLeafMode) {
        let start = output.count
        let first = leaf.operation(0)
        output.append(bytes, Int(capture.start) + 1, Int(capture.end) - 1, first)
        if first == .trim { output.trim(from: start) }
        for position in 1..<max(1, leaf.operationCount) {
            let operation = leaf.operation(position)
            if operation == .trim { output.trim(from: start) } else { output.recase(from: start, operation) }
        }
    }

    /// Converts and checks one value through ``JSONValue``, exactly as the tree path does.
    private mutating func writeGeneric(_ rule: Int, _ capture: FastCapture, wroteNull: inout Bool) -> Bool {
        let leaf = tables.leaves[rule]
        let range = UnsafeBufferPointer(rebasing: bytes[Int(capture.start)..<Int(capture.end)])
        guard var value = try? JSONParser.parse(range) else { return false }
        if !leaf.functions.isEmpty {
            var state = MapState()
            for function in leaf.functions {
                guard let next = try? function.evaluate(value, hasInput: true, source: .null, indices: [],
                                                        context: FastMapWriter.context, state: &state,
                                                        sequences: FastMapWriter.sequences, mapID: "") else { return false }
                value = next
            }
        }
        guard let converted = leaf.conversion.convert(value) else { return false }
        if converted.isNull {
            guard !leaf.nullInvalid else { return false }
            wroteNull = true
        } else if let field = leaf.field {
            guard field.kind.accepts(converted) else { return false }
            if let pattern = field.datePattern, case .string(let text) = converted, pattern.parse(text) == nil { return false }
        }
        // Rare (escapes, conversions): the text's own buffer costs less than a kept one moved
        // in and out of every writer.
        var text: [UInt8] = []
        converted.serialize(into: &text)
        text.withUnsafeBufferPointer { output.append($0) }
        return true
    }

    private static let context = MapContext()
    private static let sequences = SequenceCounters(count: 0)
}
