extension DocumentPath {
    /// A value a path selected, with the array index each of its `*` segments took.
    struct Match {
        var indices: [Int]
        var value: JSONValue
    }

    /// Every match of the path in `document`, in document order.
    func matches(in document: JSONValue) -> [Match] {
        var results: [Match] = []
        var indices: [Int] = []
        DocumentPath.collectMatches(document, segments[...], indices: &indices, into: &results)
        return results
    }

    private static func collectMatches(_ value: JSONValue, _ rest: ArraySlice<Segment>, indices: inout [Int],
                                       into results: inout [Match]) {
        guard let segment = rest.first else {
            results.append(Match(indices: indices, value: value))
            return
        }
        let tail = rest.dropFirst()
        switch segment {
        case .wildcard:
            guard case .array(let elements) = value else { return }
            for (index, element) in elements.enumerated() {
                indices.append(index)
                collectMatches(element, tail, indices: &indices, into: &results)
                indices.removeLast()
            }
        case .key(let key):
            if let child = child(of: value, key) { collectMatches(child, tail, indices: &indices, into: &results) }
        }
    }

    /// The values selected when the first `indices.count` wildcards are bound to those array indices
    /// (later wildcards still select every element).
    func values(in document: JSONValue, binding indices: [Int]) -> [JSONValue] {
        var results: [JSONValue] = []
        DocumentPath.collectBound(document, segments[...], indices[...], into: &results)
        return results
    }

    private static func collectBound(_ value: JSONValue, _ rest: ArraySlice<Segment>, _ indices: ArraySlice<Int>,
                                     into results: inout [JSONValue]) {
        guard let segment = rest.first else {
            results.append(value)
            return
        }
        let tail = rest.dropFirst()
        switch segment {
        case .wildcard:
            guard case .array(let elements) = value else { return }
            if let bound = indices.first {
                if elements.indices.contains(bound) { collectBound(elements[bound], tail, indices.dropFirst(), into: &results) }
            } else {
                for element in elements { collectBound(element, tail, indices, into: &results) }
            }
        case .key(let key):
            if let child = child(of: value, key) { collectBound(child, tail, indices, into: &results) }
        }
    }

    /// Writes `value` at the path inside `document`, creating objects and arrays on the way.
    ///
    /// Wildcards take the given array indices in order (arrays are padded with empty
    /// objects or nulls to reach them); a wildcard with no index left applies to every
    /// element already present. A segment of digits addresses an array element, creating
    /// the array when nothing is there yet, or a member of an existing object.
    /// With `onlyIfEmpty`, an existing non-null value is kept.
    func write(_ value: JSONValue, into document: inout JSONValue, indices: [Int] = [], onlyIfEmpty: Bool = false) {
        DocumentPath.write(value, into: &document, segments[...], indices[...], onlyIfEmpty: onlyIfEmpty)
    }

    private static func write(_ value: JSONValue, into node: inout JSONValue, _ rest: ArraySlice<Segment>,
                              _ indices: ArraySlice<Int>, onlyIfEmpty: Bool) {
        guard let segment = rest.first else {
            if onlyIfEmpty && !node.isNull { return }
            node = value
            return
        }
        let tail = rest.dropFirst()
        switch segment {
        case .key(let key):
            if let position = Int(key), position >= 0, node.isNull || node.arrayValue != nil || node.isEmptyObject {
                writeElement(value, into: &node, at: position, tail, indices, onlyIfEmpty: onlyIfEmpty)
                return
            }
            var object: JSONObject
            if case .object(let existing) = node {
                object = existing
                node = .null
            } else {
                object = JSONObject()
            }
            if let position = object.index(forKey: key) {
                var child = object.takeValue(atIndex: position)
                write(value, into: &child, tail, indices, onlyIfEmpty: onlyIfEmpty)
                object.setValue(child, atIndex: position)
            } else {
                var child = JSONValue.null
                write(value, into: &child, tail, indices, onlyIfEmpty: onlyIfEmpty)
                object.appendUnchecked(key: key, value: child)
            }
            node = .object(object)
        case .wildcard:
            if let bound = indices.first {
                writeElement(value, into: &node, at: bound, tail, indices.dropFirst(), onlyIfEmpty: onlyIfEmpty)
            } else if case .array(var elements) = node {
                node = .null
                for position in elements.indices {
                    var child = elements[position]
                    elements[position] = .null
                    write(value, into: &child, tail, indices, onlyIfEmpty: onlyIfEmpty)
                    elements[position] = child
                }
                node = .array(elements)
            }
        }
    }

    private static func writeElement(_ value: JSONValue, into node: inout JSONValue, at position: Int,
                                     _ tail: ArraySlice<Segment>, _ indices: ArraySlice<Int>, onlyIfEmpty: Bool) {
        var elements: [JSONValue]
        if case .array(let existing) = node {
            elements = existing
            node = .null
        } else {
            elements = []
        }
        let filler: JSONValue
        if case .key(let key) = tail.first, Int(key) == nil { filler = .object(JSONObject()) } else { filler = .null }
        while elements.count <= position { elements.append(filler) }
        var child = elements[position]
        elements[position] = .null
        write(value, into: &child, tail, indices, onlyIfEmpty: onlyIfEmpty)
        elements[position] = child
        node = .array(elements)
    }
}

extension JSONValue {
    /// Whether the value is an object with no members (a map's output before its first write).
    var isEmptyObject: Bool {
        if case .object(let object) = self { return object.isEmpty }
        return false
    }
}
