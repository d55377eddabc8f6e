/// What the byte-level path of a map reads from the source and writes to the target, compiled once.
///
/// Source side: a trie of ``FastSourceNode`` over the object members and array elements that the
/// rules read or the source profile checks. Target side: a tree of ``FastOutNode`` built from the
/// rules' target paths, each bound to the target profile's element it is validated against.
struct FastMapPlan: Sendable {
    var sourceNodes: [FastSourceNode]
    var members: [FastMember]
    var keyBytes: [UInt8]
    var slotCount: Int
    var outFlat: [FastOutFlat]
    var outRefs: [Int32]
    var outMembers: [FastOutMember]
    var outKeys: [UInt8]
    var leaves: [FastLeaf]
    /// The capture slot each rule reads.
    var ruleSlots: [Int]

    /// The deepest `*` nesting the plan handles.
    static let maximumWildcards = 4

    /// Why a map cannot use the byte-level path (only used to decide; never shown).
    struct Unsupported: Error {}

    /// Builds the plan, or throws when the map uses something only the tree path handles.
    init(rules: [CompiledRule], hasDefaults: Bool, source: ProfileShape, target: ProfileShape) throws(Unsupported) {
        guard !hasDefaults, !source.isRecords, !target.isRecords, !rules.isEmpty else { throw Unsupported() }
        var sourceBuilder = FastSourceBuilder()
        try sourceBuilder.addFields(source.fields, to: 0)
        var outBuilder = FastOutBuilder(ruleCount: rules.count)
        var ruleSlots: [Int] = []
        var leafNodes: [Int] = []
        for (position, rule) in rules.enumerated() {
            guard let from = rule.source, let to = rule.target, !to.segments.isEmpty,
                  rule.dateConversion == nil, !rule.aggregates,
                  rule.boundWildcards == rule.sourceWildcards, rule.sourceWildcards <= Self.maximumWildcards,
                  rule.functions.count <= 16,
                  rule.functions.allSatisfy({ FastTextOperation($0) != nil }) else { throw Unsupported() }
            ruleSlots.append(try sourceBuilder.addPath(from))
            leafNodes.append(try outBuilder.addPath(to, rule: position))
        }
        outBuilder.collectRules(0)
        try outBuilder.bindMembers(0, fields: target.fields)
        var leaves: [FastLeaf] = []
        for (position, rule) in rules.enumerated() {
            let node = outBuilder.nodes[leafNodes[position]]
            leaves.append(FastLeaf(rule: rule, field: node.field, nullInvalid: node.nullInvalid))
        }
        let flat = sourceBuilder.flattened()
        sourceNodes = flat.nodes
        members = flat.members
        keyBytes = flat.keyBytes
        slotCount = sourceBuilder.slotCount
        (outFlat, outRefs, outMembers, outKeys) = outBuilder.flattened()
        self.leaves = leaves
        self.ruleSlots = ruleSlots
    }
}
