/// A map that only renames the members of a flat object, described for a consumer that reads the
/// source document itself instead of the map's output (the storage-write encoder, see
/// `docs/development.md`, "A map the connector does").
///
/// For a source document that is a flat JSON object whose every member is one of ``members``'
/// sources, each present at most once, with a value of one of its ``Member/values`` kinds
/// (never `null`), and in which every ``Member/required`` member is present, the map's output is
/// the same members under their target names, each value's bytes as they are (strings without
/// escapes; numbers and literals as written), and the map cannot fail. A consumer that reads such a
/// document in place of the output must decline every other document (and map it as usual): it
/// then sees what it would have seen in the output, with no JSON written in between.
public struct FlatRenames: Sendable, Equatable {
    /// The JSON value kinds a member's value may have to be copied as it is.
    public struct Values: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let string = Values(rawValue: 1)
        public static let number = Values(rawValue: 2)
        /// `true` and `false`.
        public static let boolean = Values(rawValue: 4)
    }

    public struct Member: Sendable, Equatable {
        /// The member's key in the source document (printable ASCII, no quote or backslash).
        public var source: [UInt8]
        /// Its key in the map's output (printable ASCII, no quote or backslash).
        public var target: [UInt8]
        public var values: Values
        /// Without it the map fails (the source or the target profile requires it).
        public var required: Bool

        public init(source: [UInt8], target: [UInt8], values: Values, required: Bool) {
            self.source = source
            self.target = target
            self.values = values
            self.required = required
        }
    }

    /// In the map's rule order.
    public var members: [Member]

    public init(members: [Member]) {
        self.members = members
    }
}

extension FlatRenames {
    /// The map's rules as a flat rename, or nil when the map does anything else: a rule with a
    /// function, a path deeper than one member, a conversion the byte path does not copy as it
    /// is, a source member read twice, or a required source member no rule reads.
    init?(rules: [CompiledRule], tables: FastPlanTables) {
        guard rules.count <= 64, let root = tables.sourceNodes.first, root.check == .object,
              let out = tables.outNodes.first, out.kind == .object, !out.invalid, !out.missingRequired,
              Int(out.rulesCount) == rules.count else { return nil }
        let rootMembers = UnsafeBufferPointer(rebasing: tables.members[Int(root.memberStart)..<Int(root.memberStart + root.memberCount)])
        var readMask: UInt64 = 0
        var members: [Member?] = Array(repeating: nil, count: rules.count)
        var sourceRequired: [Bool] = Array(repeating: false, count: rules.count)
        for (position, rule) in rules.enumerated() {
            guard rule.functions.isEmpty, rule.dateConversion == nil,
                  let from = rule.source?.segments, from.count == 1, case .key(let source) = from[0],
                  let to = rule.target?.segments, to.count == 1, case .key(let target) = to[0],
                  Self.isPlainKey(source), Self.isPlainKey(target) else { return nil }
            let key = Array(source.utf8)
            guard let found = rootMembers.firstIndex(where: { member in
                Array(tables.keyBytes[Int(member.keyStart)..<Int(member.keyStart + member.keyCount)]) == key
            }) else { return nil }
            let node = tables.sourceNodes[Int(rootMembers[found].node)]
            let bit: UInt64 = 1 << UInt64(found)
            guard readMask & bit == 0, node.memberCount == 0, node.element < 0,
                  node.slot >= 0, tables.ruleSlots[position] == Int(node.slot) else { return nil }
            readMask |= bit
            sourceRequired[position] = root.requiredMask & bit != 0
            let checked: Values
            switch node.check {
            case .any: checked = [.string, .number, .boolean]
            case .string: checked = .string
            case .number: checked = .number
            case .bool: checked = .boolean
            case .int64, .object, .array: return nil
            }
            members[position] = Member(source: key, target: Array(target.utf8), values: checked, required: false)
        }
        // A required member of the source no rule reads: the map fails without it, whatever the rest is.
        guard root.requiredMask & ~readMask == 0 else { return nil }
        for member in UnsafeBufferPointer(rebasing: tables.outMembers[Int(out.rulesStart)..<Int(out.rulesStart + out.rulesCount)]) {
            let rule = Int(member.rule)
            guard member.kind == .leaf, member.ownLeaf, member.bit != 0, rule >= 0, rule < rules.count,
                  var renamed = members[rule] else { return nil }
            let leaf = tables.leafModes[rule]
            guard leaf.operationCount == 0 else { return nil }
            // What the writer copies as it is (``FastMapWriter/isCopiedVerbatim(_:_:)``).
            switch leaf.mode {
            case .keep: break
            case .text: renamed.values.formIntersection(.string)
            case .number: renamed.values.formIntersection(.number)
            case .int64, .generic: return nil
            }
            guard !renamed.values.isEmpty else { return nil }
            renamed.required = sourceRequired[rule] || out.requiredMask & member.bit != 0
            members[rule] = renamed
        }
        // Each rule writes its own member, and no two members share a target name.
        let resolved = members.compactMap { $0 }
        guard resolved.count == rules.count, Set(resolved.map(\.target)).count == resolved.count else { return nil }
        self.members = resolved
    }

    /// Printable ASCII without a quote or backslash, not empty and not all digits (which a path
    /// reads as an array index).
    private static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && Int(key) == nil
            && key.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }
}
