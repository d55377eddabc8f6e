import Foundation

extension MapFunction {
    /// Applies the function to the current value (nil when there is none) of one match.
    func evaluate(_ current: JSONValue?, hasInput: Bool, source: JSONValue, indices: [Int],
                  context: MapContext, state: inout MapState, sequences: SequenceCounters,
                  mapID: String) throws(MappingError) -> JSONValue? {
        switch body {
        case .uppercase: return mapText(current) { $0.uppercased() }
        case .lowercase: return mapText(current) { $0.lowercased() }
        case .trim: return mapText(current) { String(Substring($0).trimmingASCIIWhitespace()) }
        case .substring(let start, let length):
            return mapText(current) { text in
                let tail = text.dropFirst(start)
                return String(length.map { tail.prefix($0) } ?? tail)
            }
        case .concat(let separator):
            let parts = inputs(current, hasInput: hasInput, source: source, indices: indices).compactMap { $0?.textValue }
            return parts.isEmpty ? nil : .string(parts.joined(separator: separator))
        case .coalesce(let fallback):
            let present = inputs(current, hasInput: hasInput, source: source, indices: indices).first { value in
                guard let value, !value.isNull else { return false }
                return value != .string("")
            }
            if let present { return present }
            return fallback.map(JSONValue.string)
        case .arithmetic(let operation):
            return try calculate(operation, inputs(current, hasInput: hasInput, source: source, indices: indices), mapID: mapID)
        case .round(let scale):
            guard let current, !current.isNull else { return current }
            var value = try decimal(current, mapID: mapID)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &value, scale, .plain)
            return .number(rounded.description)
        case .dateFormat(let input, let output):
            guard let current, !current.isNull else { return current }
            let text = current.textValue ?? ""
            guard let date = input.parse(text) else {
                throw failure("\(current.brief) does not match inputFormat '\(input.pattern)'", mapID: mapID)
            }
            return .string(output.format(date))
        case .currentDate(let pattern):
            return .string(pattern.format(context.now))
        case .documentProperty(let name):
            return (state.documentProperties[name] ?? context.documentProperties[name]).map(JSONValue.string)
        case .processProperty(let name):
            return (state.processProperties[name] ?? context.processProperties[name]).map(JSONValue.string)
        case .setDocumentProperty(let name):
            if let text = current?.textValue { state.documentProperties[name] = text }
            return current
        case .setProcessProperty(let name):
            if let text = current?.textValue { state.processProperties[name] = text }
            return current
        case .replace(let regex, let template):
            return mapText(current) { regex.replace(in: $0, with: template) }
        case .numberFormat(let pattern):
            guard let current, !current.isNull else { return current }
            return .string(pattern.format(try decimal(current, mapID: mapID)))
        case .lookup(let table, let entries, let fallback):
            guard let current, let key = current.textValue else { return current }
            if let value = entries[key] ?? fallback { return .string(value) }
            throw failure("key '\(key)' is not in lookup table '\(table)' and no default is given", mapID: mapID)
        case .sequence(let slot, let start, let step):
            let position = Decimal(sequences.next(slot))
            return .number((start + step * position).description)
        case .count, .sum:
            var values: [JSONValue] = []
            for value in inputs(current, hasInput: hasInput, source: source, indices: indices, all: true) {
                guard let value else { continue }
                if case .array(let elements) = value { values += elements } else { values.append(value) }
            }
            values.removeAll { $0.isNull }
            if case .count = body { return .number(String(values.count)) }
            var total = Decimal()
            for value in values { total += try decimal(value, mapID: mapID) }
            return .number(total.description)
        }
    }

    private func mapText(_ value: JSONValue?, _ transform: (String) -> String) -> JSONValue? {
        guard let value, let text = value.textValue else { return value }
        return .string(transform(text))
    }

    /// The current value (when the function has one) followed by each argument's value.
    /// With `all`, a path argument gives every value it selects (as an array) rather than the first.
    private func inputs(_ current: JSONValue?, hasInput: Bool, source: JSONValue, indices: [Int],
                        all: Bool = false) -> [JSONValue?] {
        var values: [JSONValue?] = hasInput ? [current] : []
        for operand in operands {
            switch operand {
            case .literal(let text): values.append(.string(text))
            case .path(let path):
                let selected = path.values(in: source, binding: indices)
                values.append(all ? .array(selected) : selected.first)
            }
        }
        return values
    }

    private func calculate(_ operation: Operation, _ operands: [JSONValue?], mapID: String) throws(MappingError) -> JSONValue? {
        var numbers: [Decimal] = []
        for operand in operands {
            guard let operand, !operand.isNull else { return nil }
            numbers.append(try decimal(operand, mapID: mapID))
        }
        guard var result = numbers.first else { return nil }
        for number in numbers.dropFirst() {
            switch operation {
            case .add: result += number
            case .subtract: result -= number
            case .multiply: result *= number
            case .divide:
                if number.isZero { throw failure("division by zero", mapID: mapID) }
                result /= number
            }
        }
        guard !result.isNaN else { throw failure("result is out of range", mapID: mapID) }
        return .number(result.description)
    }

    private func decimal(_ value: JSONValue, mapID: String) throws(MappingError) -> Decimal {
        let literal: String?
        switch value {
        case .number(let text): literal = text
        case .string(let text): literal = NumberText.normalized(text)
        default: literal = nil
        }
        guard let literal else { throw failure("\(value.brief) is not a number", mapID: mapID) }
        guard let number = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")), !number.isNaN else {
            throw failure("\(value.brief) is out of the decimal range", mapID: mapID)
        }
        return number
    }

    private func failure(_ message: String, mapID: String) -> MappingError {
        MappingError(mapID: mapID, location: location, message: "function '\(name)': \(message)", kind: .function)
    }
}
