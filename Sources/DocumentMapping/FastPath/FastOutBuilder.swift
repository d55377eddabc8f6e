import ConveyorBase

/// One node of the target tree the byte-level path writes: an object, an array (`*`) or a rule's value.
struct FastOutNode: Sendable {
    enum Kind: Sendable { case object, array, leaf }

    var kind: Kind
    /// The member name (compared as the tree path compares keys: by canonical equivalence).
    var name = ""
    /// `"key":` as written in the output; empty for the root and array elements.
    var keyBytes: [UInt8]
    /// How many `*` lie above the node (the length of the index prefix of its instances).
    var level: Int
    /// Object members (node ids).
    var children: [Int] = []
    /// The element node of an array, or -1.
    var element = -1
    /// The rule a leaf writes, or -1.
    var rule = -1
    /// The rules writing in this subtree, ascending.
    var rules: [Int] = []
    /// For an object: the child position under which each rule of `rules` writes.
    var childOfRule: [Int] = []
    // Target profile checks.
    /// Any instance of this node is a violation of the target profile.
    var invalid = false
    /// A required member of this object has no rule writing it.
    var missingRequired = false
    /// Bit *i* set: child *i* is required (written and not null).
    var requiredMask: UInt64 = 0
    /// A null here (a leaf's value, or an unwritten array element) is a violation.
    var nullInvalid = false
    /// The declared scalar element a leaf's values are checked against.
    var field: FieldShape?
}

/// A target node as plain values, read by the writer. `outRefs[rulesStart...]` holds its
/// `rulesCount` rules; an object's `outMembers[rulesStart...]` holds as many ``FastOutMember``s.
struct FastOutFlat: Sendable {
    var kind: FastOutNode.Kind
    var rulesStart: Int32
    var rulesCount: Int32
    var element: Int32
    var rule: Int32
    var invalid: Bool
    var missingRequired: Bool
    var requiredMask: UInt64
    var nullInvalid: Bool
}

/// One rule of a target object and the member it writes, as the writer tries them: everything
/// it needs for the member in one entry.
struct FastOutMember: Sendable {
    var rule: Int32
    /// The member's node.
    var child: Int32
    /// The member's `"key":` in the key table.
    var keyStart: Int32
    var keyCount: Int32
    /// The member's bit among the object's (0 past the 64th: never marked written).
    var bit: UInt64
    var kind: FastOutNode.Kind
    /// The member is a leaf this rule writes alone, valid in the target profile: the rule's
    /// value is written as it is matched. Otherwise a leaf goes to the tree path.
    var ownLeaf: Bool
}

/// Builds the target tree from the rules' `to` paths and binds it to the target profile.
struct FastOutBuilder {
    var nodes = [FastOutNode(kind: .object, keyBytes: [], level: 0)]
    let ruleCount: Int

    init(ruleCount: Int) {
        self.ruleCount = ruleCount
    }

    /// Adds a rule's target path; returns its leaf node. Paths that overlap another rule's are refused.
    mutating func addPath(_ path: DocumentPath, rule: Int) throws(FastMapPlan.Unsupported) -> Int {
        var node = 0
        var level = 0
        for (position, segment) in path.segments.enumerated() {
            let last = position == path.segments.count - 1
            let wanted: FastOutNode.Kind
            if last {
                wanted = .leaf
            } else if case .wildcard = path.segments[position + 1] {
                wanted = .array
            } else {
                wanted = .object
            }
            switch segment {
            case .wildcard:
                guard nodes[node].kind == .array else { throw FastMapPlan.Unsupported() }
                level += 1
                if nodes[node].element >= 0 {
                    node = nodes[node].element
                    guard !last, nodes[node].kind == wanted else { throw FastMapPlan.Unsupported() }
                } else {
                    nodes.append(FastOutNode(kind: wanted, keyBytes: [], level: level))
                    nodes[node].element = nodes.count - 1
                    node = nodes.count - 1
                }
            case .key(let key):
                guard Int(key) == nil, nodes[node].kind == .object else { throw FastMapPlan.Unsupported() }
                if let existing = nodes[node].children.first(where: { nodes[$0].name == key }) {
                    guard !last, nodes[existing].kind == wanted else { throw FastMapPlan.Unsupported() }
                    node = existing
                } else {
                    guard nodes[node].children.count < 64 else { throw FastMapPlan.Unsupported() }
                    nodes.append(FastOutNode(kind: wanted, name: key, keyBytes: Self.keyBytes(key), level: level))
                    nodes[node].children.append(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
        }
        nodes[node].rule = rule
        return node
    }

    private static func keyBytes(_ key: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONBytes.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return bytes
    }

    /// The tree as plain values for the writer.
    func flattened() -> (nodes: [FastOutFlat], refs: [Int32], members: [FastOutMember], keys: [UInt8]) {
        var flat: [FastOutFlat] = []
        var refs: [Int32] = []
        var members: [FastOutMember] = []
        var keys: [UInt8] = []
        var keyStarts: [Int32] = []
        for node in nodes {
            keyStarts.append(Int32(keys.count))
            keys += node.keyBytes
        }
        for node in nodes {
            let rulesStart = node.kind == .object ? members.count : refs.count
            if node.kind == .object {
                for (rule, position) in zip(node.rules, node.childOfRule) {
                    let child = node.children[position]
                    let childNode = nodes[child]
                    members.append(FastOutMember(
                        rule: Int32(rule), child: Int32(child), keyStart: keyStarts[child],
                        keyCount: Int32(childNode.keyBytes.count), bit: 1 << UInt64(position), kind: childNode.kind,
                        ownLeaf: childNode.kind == .leaf && childNode.rule == rule && !childNode.invalid))
                }
            } else {
                refs += node.rules.map { Int32($0) }
            }
            flat.append(FastOutFlat(kind: node.kind, rulesStart: Int32(rulesStart), rulesCount: Int32(node.rules.count),
                                    element: Int32(node.element), rule: Int32(node.rule), invalid: node.invalid,
                                    missingRequired: node.missingRequired, requiredMask: node.requiredMask,
                                    nullInvalid: node.nullInvalid))
        }
        return (flat, refs, members, keys)
    }

    /// Fills `rules` and `childOfRule` below `node`.
    @discardableResult
    mutating func collectRules(_ node: Int) -> [Int] {
        var rules: [Int] = []
        switch nodes[node].kind {
        case .leaf: rules = [nodes[node].rule]
        case .array: rules = collectRules(nodes[node].element)
        case .object:
            var owner = Array(repeating: -1, count: ruleCount)
            for (position, child) in nodes[node].children.enumerated() {
                for rule in collectRules(child) { owner[rule] = position }
            }
            rules = owner.indices.filter { owner[$0] >= 0 }
            nodes[node].childOfRule = rules.map { owner[$0] }
        }
        nodes[node].rules = rules
        return rules
    }

    /// Binds an object node's members to declared `fields`, as ``ProfileValidator`` checks them.
    mutating func bindMembers(_ node: Int, fields: [FieldShape]) throws(FastMapPlan.Unsupported) {
        for field in fields {
            guard let position = nodes[node].children.firstIndex(where: { nodes[$0].name == field.name }) else {
                if field.required { nodes[node].missingRequired = true }
                continue
            }
            if field.required { nodes[node].requiredMask |= 1 << UInt64(position) }
            let child = nodes[node].children[position]
            if field.repeated {
                guard nodes[child].kind == .array else {
                    nodes[child].invalid = true
                    continue
                }
                nodes[child].nullInvalid = true
                let element = nodes[child].element
                nodes[element].nullInvalid = true
                try bindValue(element, field)
            } else {
                try bindValue(child, field)
            }
        }
    }

    private mutating func bindValue(_ node: Int, _ field: FieldShape) throws(FastMapPlan.Unsupported) {
        switch field.kind {
        case .object, .record:
            guard nodes[node].kind == .object else { nodes[node].invalid = true; return }
            try bindMembers(node, fields: field.children)
        case .array:
            guard nodes[node].kind == .array else { nodes[node].invalid = true; return }
            guard !field.children.isEmpty else { return }
            let element = nodes[node].element
            guard nodes[element].kind == .object else { nodes[node].invalid = true; return }
            try bindMembers(element, fields: field.children)
        case .json:
            return
        default:
            guard nodes[node].kind == .leaf else { nodes[node].invalid = true; return }
            nodes[node].field = field
        }
    }
}
