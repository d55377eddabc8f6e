import DocumentMapping
import HTTPTransport
import ProcessEngine

/// An error thrown by the receiver of a page's documents, passed through untouched.
struct EmitFailure: Error {
    let underlying: any Error
}

extension HTTPSendOperation {
    /// Sends the request for `document` and every next page the pagination finds, handing each
    /// page's documents to `emit` before the next page is fetched. Returns the number of pages.
    ///
    /// - Throws: ``DocumentError`` when a request fails or a page cannot be read; an error of
    ///   `emit`'s, or cancellation, as it is.
    func pages(of document: Document, context: OperationContext,
               emit: ([Document]) async throws -> Void) async throws -> Int {
        var request = try exchange.request(for: document, context: context)
        var offset = 0, pageNumber = 0
        switch settings.pagination {
        case .offset(let parameter, let limitParameter, let limit, let start)?:
            offset = start
            request.url = HTTPURL.setting(parameter, to: String(start), in: request.url)
            request.url = HTTPURL.setting(limitParameter, to: String(limit), in: request.url)
        case .page(let parameter, let start)?:
            pageNumber = start
            request.url = HTTPURL.setting(parameter, to: String(start), in: request.url)
        default: break
        }
        let origin = HTTPURL.origin(of: exchange.connection.baseURL)
        var page = 0
        var lastToken: String?
        while true {
            page += 1
            if page > settings.maxPages {
                throw DocumentError("\(request.method) \(request.redactedURL): more than \(settings.maxPages) pages "
                                    + "(raise <pagination maxPages=\"…\"> if the listing is that long)", code: .rejected)
            }
            let response: HTTPResponse
            do { response = try await exchange.send(request) } catch let error as TransportError {
                throw DocumentError("\(error)", code: .unavailable)
            }
            guard response.isSuccess else { throw exchange.statusError(response, request: request) }
            var properties = HTTPExchange.properties(of: response, adding: document.properties)
            properties["http.page"] = String(page)
            var json: JSONValue?
            func parsed() throws(DocumentError) -> JSONValue {
                if let json { return json }
                do { json = try JSONParser.parse(response.body) } catch {
                    throw DocumentError("page \(page) of \(request.method) \(request.redactedURL) is not JSON (\(error)): "
                                        + HTTPExchange.excerpt(response.body), code: .content)
                }
                return json ?? .null
            }
            var documents: [Document]
            if let split = settings.split {
                let found = response.body.isEmpty ? [] : split.values(in: try parsed())
                let items = found.count == 1 ? (found[0].arrayValue ?? found) : found
                documents = items.map { Document(json: $0, properties: properties, index: document.index) }
            } else {
                documents = [Document(data: response.body, properties: properties, index: document.index)]
            }
            let count = documents.count
            if !documents.isEmpty {
                do { try await emit(documents) } catch { throw EmitFailure(underlying: error) }
            }
            documents = []
            var next: String?
            switch settings.pagination {
            case nil:
                return page
            case .linkHeader?:
                next = response.header("Link").flatMap(HTTPURL.nextLink(in:))
            case .nextURL(let path)?:
                next = path.values(in: try parsed()).first?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            case .nextToken(let path, let parameter)?:
                guard let token = path.values(in: try parsed()).first?.textValue, !token.isEmpty else { return page }
                if token == lastToken {
                    throw DocumentError("\(request.method) \(request.redactedURL): page \(page) gave the same next-page "
                                        + "token as the page before; stopped, as the listing would never end", code: .rejected)
                }
                lastToken = token
                request.url = HTTPURL.setting(parameter, to: token, in: request.url)
                continue
            case .offset(let parameter, _, let limit, _)?:
                guard count >= limit else { return page }
                offset += count
                request.url = HTTPURL.setting(parameter, to: String(offset), in: request.url)
                continue
            case .page(let parameter, _)?:
                guard count > 0 else { return page }
                pageNumber += 1
                request.url = HTTPURL.setting(parameter, to: String(pageNumber), in: request.url)
                continue
            }
            guard let link = next else { return page }
            guard let resolved = HTTPURL.resolve(link, against: request.url) else {
                throw DocumentError("\(request.method) \(request.redactedURL): the next page's URL '\(HTTPRequest(url: link).redactedURL)' "
                                    + "is not a URL", code: .content)
            }
            guard HTTPURL.origin(of: resolved) == origin else {
                throw DocumentError("\(request.method) \(request.redactedURL): the next page is on another server "
                                    + "(\(HTTPRequest(url: resolved).redactedURL)), which is not followed: the "
                                    + "connection's credentials go only to its <baseUrl>'s server", code: .rejected)
            }
            request.url = resolved
        }
    }
}
