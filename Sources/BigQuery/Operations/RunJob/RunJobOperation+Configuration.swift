import DocumentMapping
import ProcessEngine

extension RunJobOperation {
    /// The `configuration` of a job built from the settings for one document.
    func configuration(for document: inout Document, project: String,
                       context: OperationContext) throws(DocumentError) -> JSONValue {
        guard let jobType = settings.jobType else {
            throw DocumentError("document \(document.index) is not a Job resource (a JSON object with "
                + "\"configuration\") and the operation sets no <jobType>/<query>", code: .content)
        }
        var body = JSONObject()
        func table(_ text: InterpolatedText?) throws(DocumentError) -> JSONValue? {
            guard let text else { return nil }
            return try TableReference.parse(try context.interpolate(text, for: document), defaultProject: project).json
        }
        func uris(_ texts: [InterpolatedText]) throws(DocumentError) -> JSONValue {
            var values: [JSONValue] = []
            for text in texts { values.append(.string(try context.interpolate(text, for: document))) }
            return .array(values)
        }
        switch jobType {
        case .query:
            guard let query = settings.query else { throw DocumentError("the operation sets no <query>", code: .setting) }
            body["query"] = .string(try context.interpolate(query, for: document))
            body["useLegacySql"] = .bool(settings.useLegacySQL)
            if !settings.parameters.isEmpty {
                body["parameterMode"] = "NAMED"
                var parameters: [JSONValue] = []
                for parameter in settings.parameters {
                    parameters.append(try parameter.json(for: &document, context: context))
                }
                body["queryParameters"] = .array(parameters)
            }
            body["destinationTable"] = try table(settings.destinationTable)
        case .load:
            body["sourceUris"] = try uris(settings.sourceURIs)
            if let format = settings.sourceFormat { body["sourceFormat"] = .string(format) }
            body["schema"] = settings.schema
            body["destinationTable"] = try table(settings.destinationTable)
        case .copy:
            body["sourceTable"] = try table(settings.sourceTable)
            body["destinationTable"] = try table(settings.destinationTable)
        case .extract:
            body["sourceTable"] = try table(settings.sourceTable)
            body["destinationUris"] = try uris(settings.destinationURIs)
            if let format = settings.destinationFormat { body["destinationFormat"] = .string(format) }
        }
        if jobType != .extract {
            if let write = settings.writeDisposition { body["writeDisposition"] = .string(write) }
            if let create = settings.createDisposition { body["createDisposition"] = .string(create) }
        }
        return [jobType.rawValue: .object(body)]
    }
}
