import Foundation

extension MapFunction {
    /// Applies the function to the current value (nil when there is none) of one match.
    func evaluate(_ current: JSONValue?, hasInput: Bool, source: JSONValue, indices: [Int],
                  context: MapContext, mapID: String) throws(MappingError) -> JSONValue? {
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
            return context.documentProperties[name].map(JSONValue.string)
        case .processProperty(let name):
            return context.processProperties[name].map(JSONValue.string)
        }
    }

    private func mapText(_ value: JSONValue?, _ transform: (String) -> String) -> JSONValue? {
        guard let value, let text = value.textValue else { return value }
        return .string(transform(text))
    }

    /// The current value (when the function has one) followed by each argument's value.
    private func inputs(_ current: JSONValue?, hasInput: Bool, source: JSONValue, indices: [Int]) -> [JSONValue?] {
        var values: [JSONValue?] = hasInput ? [current] : []
        for operand in operands {
            switch operand {
            case .literal(let text): values.append(.string(text))
            case .path(let path): values.append(path.values(in: source, binding: indices).first)
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
