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
    /// How the scanner may match the key with one 8-byte load: 0 not at all (the key holds a quote,
    /// a backslash, a control byte or non-ASCII), 1 `pattern` is the whole key and its closing quote,
    /// 2 `pattern` is the key's first 8 bytes (the rest is compared byte by byte).
    var quick: UInt8 = 0
    /// The bytes the 8-byte load must hold under `mask` (first byte lowest).
    var pattern: UInt64 = 0
    var mask: UInt64 = 0

    init(keyStart: Int32, key: [UInt8], node: Int32) {
        self.keyStart = keyStart
        keyCount = Int32(key.count)
        self.node = node
        guard key.allSatisfy({ $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else {
            return
        }
        let word = key.count < 8 ? key + [UInt8(ascii: "\"")] : Array(key[0..<8])
        for (position, byte) in word.enumerated() {
            pattern |= UInt64(byte) << UInt64(8 * position)
            mask |= 0xFF << UInt64(8 * position)
        }
        quick = key.count < 8 ? 1 : 2
    }
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
                members.append(FastMember(keyStart: Int32(keyBytes.count), key: key, node: Int32(child)))
                keyBytes += key
            }
        }
        return (flat, members, keyBytes)
    }
}
