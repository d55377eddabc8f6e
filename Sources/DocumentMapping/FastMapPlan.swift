import Foundation

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
        (outFlat, outRefs, outKeys) = outBuilder.flattened()
        self.leaves = leaves
        self.ruleSlots = ruleSlots
    }
}

/// The check the source profile makes on one value (null always passes; `required` is the parent's).
enum FastSourceCheck: UInt8, Sendable {
    case any, string, number, int64, bool, object, array
}

/// One node of the source trie, flattened to plain values so the scanner never retains anything.
struct FastSourceNode: Sendable {
    var memberStart: Int32 = 0
    var memberCount: Int32 = 0
    /// The node for array elements (`*` or a profile array), or -1.
    var element: Int32 = -1
    /// The capture slot rules read here, or -1.
    var slot: Int32 = -1
    var check: FastSourceCheck = .any
    /// An element that may not be null (REPEATED fields, arrays of objects).
    var nullInvalid = false
    /// Bit *i* set: member *i* is required (present and not null).
    var requiredMask: UInt64 = 0
}

/// An object member of interest: its key's bytes in ``FastMapPlan/keyBytes`` and its node.
struct FastMember: Sendable {
    var keyStart: Int32
    var keyCount: Int32
    var node: Int32
}

/// Builds the source trie from the source profile and the rules' `from` paths.
struct FastSourceBuilder {
    struct Node {
        var names: [String] = []
        var keys: [[UInt8]] = []
        var children: [Int] = []
        var element = -1
        var slot = -1
        var check = FastSourceCheck.any
        var nullInvalid = false
        var requiredMask: UInt64 = 0
    }

    var nodes = [Node(check: .object)]
    var slotCount = 0

    mutating func child(of node: Int, key: String) throws(FastMapPlan.Unsupported) -> Int {
        if let position = nodes[node].names.firstIndex(of: key) { return nodes[node].children[position] }
        guard nodes[node].keys.count < 64 else { throw FastMapPlan.Unsupported() }
        nodes.append(Node())
        nodes[node].names.append(key)
        nodes[node].keys.append(Array(key.utf8))
        nodes[node].children.append(nodes.count - 1)
        return nodes.count - 1
    }

    mutating func element(of node: Int) -> Int {
        if nodes[node].element >= 0 { return nodes[node].element }
        nodes.append(Node())
        nodes[node].element = nodes.count - 1
        return nodes.count - 1
    }

    mutating func addFields(_ fields: [FieldShape], to node: Int) throws(FastMapPlan.Unsupported) {
        for field in fields {
            let member = try child(of: node, key: field.name)
            if field.required, let position = nodes[node].children.firstIndex(of: member) {
                nodes[node].requiredMask |= 1 << UInt64(position)
            }
            if field.repeated {
                nodes[member].check = .array
                let item = element(of: member)
                nodes[item].nullInvalid = true
                try configure(item, field)
            } else {
                try configure(member, field)
            }
        }
    }

    private mutating func configure(_ node: Int, _ field: FieldShape) throws(FastMapPlan.Unsupported) {
        switch field.kind {
        case .object, .record:
            nodes[node].check = .object
            try addFields(field.children, to: node)
        case .array:
            nodes[node].check = .array
            if !field.children.isEmpty {
                let item = element(of: node)
                nodes[item].check = .object
                nodes[item].nullInvalid = true
                try addFields(field.children, to: item)
            }
        case .json: nodes[node].check = .any
        case .character, .string, .geography: nodes[node].check = .string
        case .datetime:
            guard field.datePattern == nil else { throw FastMapPlan.Unsupported() }
            nodes[node].check = .string
        case .number, .float64, .numeric, .bigNumeric: nodes[node].check = .number
        case .int64: nodes[node].check = .int64
        case .boolean, .bool: nodes[node].check = .bool
        default: throw FastMapPlan.Unsupported()
        }
    }

    /// Adds a rule's source path; returns its capture slot.
    mutating func addPath(_ path: DocumentPath) throws(FastMapPlan.Unsupported) -> Int {
        var node = 0
        for segment in path.segments {
            switch segment {
            case .wildcard: node = element(of: node)
            case .key(let key):
                guard Int(key) == nil else { throw FastMapPlan.Unsupported() }
                node = try child(of: node, key: key)
            }
        }
        if nodes[node].slot < 0 {
            nodes[node].slot = slotCount
            slotCount += 1
        }
        return nodes[node].slot
    }

    func flattened() -> (nodes: [FastSourceNode], members: [FastMember], keyBytes: [UInt8]) {
        var flat: [FastSourceNode] = []
        var members: [FastMember] = []
        var keyBytes: [UInt8] = []
        for node in nodes {
            flat.append(FastSourceNode(memberStart: Int32(members.count), memberCount: Int32(node.keys.count),
                                       element: Int32(node.element), slot: Int32(node.slot), check: node.check,
                                       nullInvalid: node.nullInvalid, requiredMask: node.requiredMask))
            for (key, child) in zip(node.keys, node.children) {
                members.append(FastMember(keyStart: Int32(keyBytes.count), keyCount: Int32(key.count), node: Int32(child)))
                keyBytes += key
            }
        }
        return (flat, members, keyBytes)
    }
}
