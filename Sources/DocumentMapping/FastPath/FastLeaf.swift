/// How a leaf writes its values: straight from the source bytes where the result is certain.
struct FastLeaf: Sendable {
    enum Mode: Sendable {
        /// No conversion: the value as it is.
        case keep
        /// A text type: strings kept, numbers and booleans quoted.
        case text
        /// A number type: numbers kept.
        case number
        /// INT64: whole numbers kept.
        case int64
        /// Converted and checked through ``JSONValue`` as the tree path does.
        case generic
    }

    let functions: [MapFunction]
    let conversion: TargetConversion
    let mode: Mode
    let field: FieldShape?
    let nullInvalid: Bool
    /// What the writer's byte paths need, as plain values.
    var fast: FastLeafMode {
        var packed: UInt32 = 0
        for (position, function) in functions.enumerated() {
            let code: UInt32
            switch FastTextOperation(function) {
            case .uppercase?: code = 0
            case .lowercase?: code = 1
            default: code = 2
            }
            packed |= code << UInt32(2 * position)
        }
        return FastLeafMode(mode: mode, nullInvalid: nullInvalid, operations: packed, operationCount: functions.count)
    }

    init(rule: CompiledRule, field: FieldShape?, nullInvalid: Bool) {
        functions = rule.functions
        conversion = rule.conversion
        self.field = field
        self.nullInvalid = nullInvalid
        switch rule.conversion {
        case .none:
            mode = field == nil ? .keep : .generic
        case .scalar(let kind, _):
            guard let field, field.kind == kind else {
                mode = .generic
                return
            }
            switch kind {
            case .character, .string, .geography, .datetime: mode = field.datePattern == nil ? .text : .generic
            case .number, .float64, .numeric, .bigNumeric: mode = .number
            case .int64: mode = .int64
            default: mode = .generic
            }
        case .elements:
            mode = .generic
        }
    }
}

/// A leaf's mode, null rule and text functions (2 bits each: uppercase, lowercase, trim) as plain values.
struct FastLeafMode: Sendable {
    var mode: FastLeaf.Mode
    var nullInvalid: Bool
    var operations: UInt32
    var operationCount: Int

    /// The `position`th text function.
    @inline(__always)
    func operation(_ position: Int) -> FastTextOperation {
        switch (operations >> UInt32(2 * position)) & 3 {
        case 0: return .uppercase
        case 1: return .lowercase
        default: return .trim
        }
    }
}

/// A text function the byte-level path applies to ASCII text in place.
enum FastTextOperation: Sendable {
    case uppercase, lowercase, trim

    init?(_ function: MapFunction) {
        switch function.body {
        case .uppercase: self = .uppercase
        case .lowercase: self = .lowercase
        case .trim: self = .trim
        default: return nil
        }
    }
}
