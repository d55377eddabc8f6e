import DocumentMapping
import ProcessModel

extension ExecutionRun {
    /// Replaces each document's content with the message text.
    func runMessage(shape: ShapeDefinition, _ definition: MessageDefinition, documents: [Document],
                    next: String) async throws {
        let parts: [MessageDefinition.Part]
        do {
            parts = try definition.parts()
        } catch {
            for document in documents {
                fail(document, at: shape, message: "message text: \(error)", code: DocumentError.code(of: error, else: .setting))
            }
            return
        }
        let context = operationContext(shapeID: shape.id)
        var outputs: [Document] = []
        outputs.reserveCapacity(documents.count)
        documentLoop: for var document in documents {
            var values: [String] = []
            for value in definition.values {
                do {
                    values.append(try context.evaluate(value, for: &document))
                } catch {
                    fail(document, at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .content))
                    continue documentLoop
                }
            }
            var text = ""
            for part in parts {
                switch part {
                case .literal(let literal): text += literal
                case .value(let position): text += position < values.count ? values[position] : ""
                }
            }
            document.replace(with: Array(text.utf8))
            outputs.append(document)
        }
        tally(shape.id) { $0.documentsOut += outputs.count }
        try await push(outputs, to: next)
    }

    /// Cuts each document into parts; parts keep the document's properties and get new indexes.
    func runSplit(shape: ShapeDefinition, _ definition: SplitDefinition, documents: [Document],
                  next: String) async throws {
        guard let format = SplitFormat(rawValue: definition.by) else {
            for document in documents { fail(document, at: shape, message: "unknown split format '\(definition.by)'", code: .setting) }
            return
        }
        var outputs: [Document] = []
        for document in documents {
            let parts: [[UInt8]]
            do {
                parts = try DocumentSplitter.split(document.data, by: format, path: definition.path)
            } catch {
                fail(document, at: shape, message: "cannot split by \(format.rawValue): \(error)", code: .content)
                continue
            }
            for part in parts {
                var child = document
                child.replace(with: part)
                child.index = newIndex()
                outputs.append(child)
            }
            if outputs.count >= runner.chunkSize {
                tally(shape.id) { $0.documentsOut += outputs.count }
                try await push(outputs, to: next)
                outputs.removeAll(keepingCapacity: true)
            }
        }
        tally(shape.id) { $0.documentsOut += outputs.count }
        try await push(outputs, to: next)
    }

    /// Combines the documents waiting at combine shapes, in graph order, and sends each result on.
    func flushCombines() async throws {
        for id in graphOrder {
            guard let documents = pendingCombines.removeValue(forKey: id), let first = documents.first,
                  let shape = shape(id), case .combine(let into, let next) = shape.kind else { continue }
            guard let format = CombineFormat(rawValue: into) else {
                for document in documents { fail(document, at: shape, message: "unknown combine format '\(into)'", code: .setting) }
                continue
            }
            let combined: [UInt8]
            do {
                combined = try DocumentCombiner.combine(documents.map(\.data), into: format)
            } catch {
                for document in documents {
                    fail(document, at: shape, message: "cannot combine into \(format.rawValue): \(error)", code: .content)
                }
                continue
            }
            var output = first
            output.replace(with: combined)
            tally(shape.id) { $0.documentsOut += 1 }
            try await push([output], to: next)
        }
    }

    /// Shape ids so that each shape comes before the shapes it sends documents to (loops aside),
    /// starting from the start shape; unreachable shapes follow in file order.
    static func graphOrder(of process: ProcessDefinition) -> [String] {
        var exits: [String: [String]] = [:]
        for shape in process.shapes where exits[shape.id] == nil { exits[shape.id] = shape.exits }
        var visited: Set<String> = []
        var postOrder: [String] = []
        func visit(_ id: String) {
            guard !visited.contains(id), let next = exits[id] else { return }
            visited.insert(id)
            for exit in next { visit(exit) }
            postOrder.append(id)
        }
        if let start = process.startShape { visit(start.id) }
        for shape in process.shapes { visit(shape.id) }
        return postOrder.reversed()
    }
}
