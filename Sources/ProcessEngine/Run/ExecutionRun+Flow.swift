import ProcessModel

extension ExecutionRun {
    /// Runs the shapes that direct documents (all but start, connector, map, setProperties, stop).
    func pushFlow(_ documents: [Document], to shape: ShapeDefinition) async throws {
        switch shape.kind {
        case .decision(let definition, let onTrue, let onFalse):
            try await runDecision(shape: shape, definition, documents: documents, onTrue: onTrue, onFalse: onFalse)
        case .branch(let paths):
            for path in paths {
                if stop.requested { break }
                tally(shape.id) { $0.documentsOut += documents.count }
                try await push(documents, to: path)
            }
        case .route(let definition):
            try await runRoute(shape: shape, definition, documents: documents)
        case .message(let definition, let next):
            try await runMessage(shape: shape, definition, documents: documents, next: next)
        case .split(let definition, let next):
            try await runSplit(shape: shape, definition, documents: documents, next: next)
        case .combine:
            pendingCombines[shape.id, default: []] += documents
        case .tryCatch(let definition):
            try await runTryCatch(shape: shape, definition, documents: documents)
        case .exception(let message):
            runException(shape: shape, message: message, documents: documents)
        case .notify(let definition, let next):
            try await runNotify(shape: shape, definition, documents: documents, next: next)
        case .processCall(let call, let next):
            try await runProcessCall(shape: shape, call, documents: documents, next: next)
        case .flowControl(let definition, let next):
            try await runFlowControl(shape: shape, definition, documents: documents, next: next)
        case .start, .connector, .map, .setProperties, .stop, .returnDocuments:
            throw DocumentError("shape '\(shape.id)' is not a flow shape", code: .process)
        }
    }

    private func runDecision(shape: ShapeDefinition, _ definition: DecisionDefinition, documents: [Document],
                             onTrue: String, onFalse: String) async throws {
        let comparison = Comparison(op: definition.op, type: definition.type, format: definition.format)
        let context = operationContext(shapeID: shape.id)
        let patterns = shared.patterns(forShape: shape.id)
        var accepted: [Document] = []
        var rejected: [Document] = []
        for var document in documents {
            do {
                let left = try context.evaluate(definition.left, for: &document)
                let right = try context.evaluate(definition.right, for: &document)
                if try comparison.evaluate(left, right, patterns: patterns) {
                    accepted.append(document)
                } else {
                    rejected.append(document)
                }
            } catch {
                fail(document, at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .decision))
            }
        }
        tally(shape.id) { $0.documentsOut += accepted.count + rejected.count }
        try await push(accepted, to: onTrue)
        try await push(rejected, to: onFalse)
    }

    private func runRoute(shape: ShapeDefinition, _ definition: RouteDefinition, documents: [Document]) async throws {
        let context = operationContext(shapeID: shape.id)
        let key = ValueDefinition(parts: [definition.on], location: shape.location)
        var groups: [String: [Document]] = [:]
        for var document in documents {
            let value: String
            do {
                value = try context.evaluate(key, for: &document)
            } catch {
                fail(document, at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .decision))
                continue
            }
            guard let target = definition.cases.first(where: { $0.value == value })?.next ?? definition.defaultNext else {
                let known = definition.cases.map { "'\($0.value)'" }.joined(separator: ", ")
                fail(document, at: shape, message: "route value '\(value)' matches no <when> (\(known)) and there is no <default>",
                     code: .decision)
                continue
            }
            groups[target, default: []].append(document)
        }
        let order = definition.cases.map(\.next) + (definition.defaultNext.map { [$0] } ?? [])
        var sent: Set<String> = []
        for target in order where !sent.contains(target) {
            sent.insert(target)
            guard let group = groups[target] else { continue }
            tally(shape.id) { $0.documentsOut += group.count }
            try await push(group, to: target)
        }
    }
}
