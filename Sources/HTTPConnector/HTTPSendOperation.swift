import DocumentMapping
import HTTPTransport
import ProcessEngine

/// `action="send"`: one request per document (GET, POST, PUT, PATCH or DELETE), the response
/// body as the output document. As a start shape, a GET that follows the listing's pages and,
/// with `<split>`, hands over one document per element of an array, page by page.
struct HTTPSendOperation: ConnectorOperation {
    let exchange: HTTPExchange
    var settings: HTTPOperationSettings { exchange.settings }

    var readsWithoutSideEffects: Bool { settings.method == "GET" }

    /// What became of one input document.
    enum Result: Sendable {
        case output(Document)
        case applicationError(Document)
        case failure(DocumentFailure)
    }

    /// As a start shape: runs once, values from process properties and the execution.
    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        var index = 0
        do {
            _ = try await pages(of: Document(data: []), context: context) { documents in
                var numbered = documents
                for position in numbered.indices {
                    numbered[position].index = index
                    index += 1
                }
                try await emit(numbered)
            }
        } catch let error as EmitFailure {
            throw error.underlying
        }
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var emitted: [Document] = []
        let outcome = try await execute(documents, context: context) { emitted.append(contentsOf: $0) }
        return OperationOutcome(outputs: emitted + outcome.outputs, failures: outcome.failures,
                                applicationErrors: outcome.applicationErrors)
    }

    func execute(_ documents: [Document], context: OperationContext,
                 emit: ([Document]) async throws -> Void) async throws -> OperationOutcome {
        var results: [Result] = []
        if settings.pagination == nil, settings.split == nil {
            // One answer per document: requests go out together, as many as the connection allows.
            results = try await withThrowingTaskGroup(of: (Int, Result).self) { group in
                for (position, document) in documents.enumerated() {
                    group.addTask { (position, try await single(document, context: context)) }
                }
                var ordered = [Result?](repeating: nil, count: documents.count)
                for try await (position, result) in group { ordered[position] = result }
                return ordered.compactMap { $0 }
            }
        } else {
            for document in documents {
                do {
                    _ = try await pages(of: document, context: context, emit: emit)
                } catch let error as DocumentError {
                    results.append(failed(document, error))
                } catch let error as EmitFailure {
                    throw error.underlying
                }
            }
        }
        var outcome = OperationOutcome(outputs: [])
        for result in results {
            switch result {
            case .output(let document): outcome.outputs.append(document)
            case .applicationError(let document):
                outcome.outputs.append(document)
                outcome.applicationErrors += 1
            case .failure(let failure): outcome.failures.append(failure)
            }
        }
        return outcome
    }

    /// One request for `document`; the answer becomes the output (or fails the document).
    private func single(_ document: Document, context: OperationContext) async throws -> Result {
        let request: HTTPRequest
        do { request = try exchange.request(for: document, context: context) } catch {
            return .failure(DocumentFailure(document: document, error: error))
        }
        let response: HTTPResponse
        do { response = try await exchange.send(request) } catch let error as CancellationError {
            throw error
        } catch let error as DocumentError {
            return .failure(DocumentFailure(document: document, error: error))
        } catch {
            return .failure(DocumentFailure(document: document, message: "\(error)", code: .unavailable))
        }
        var output = Document(data: response.body, properties: HTTPExchange.properties(of: response, adding: document.properties),
                              index: document.index)
        guard response.isSuccess else {
            let error = exchange.statusError(response, request: request)
            guard settings.returnApplicationErrors else { return .failure(DocumentFailure(document: document, error: error)) }
            output.properties[Document.applicationErrorProperty] = error.message
            return .applicationError(output)
        }
        return .output(output)
    }

    /// A document that failed in a paged request: an application error when the far end
    /// answered and `returnApplicationErrors` is on, else a failure.
    private func failed(_ document: Document, _ error: DocumentError) -> Result {
        guard settings.returnApplicationErrors, error.code == .rejected || error.code == .unavailable else {
            return .failure(DocumentFailure(document: document, error: error))
        }
        var output = document
        output.properties[Document.applicationErrorProperty] = error.message
        return .applicationError(output)
    }
}
