/// Replaces `${env:NAME}` and `${secret:NAME}` in component text when a workspace loads.
///
/// `$${` stands for a literal `${`. Any other `${…}` is left as written, and so are the
/// run-time forms `{name}`, `{{` and `}}`. Every secret value used is remembered so that
/// diagnostics can be scrubbed of it.
struct Substitution {
    let environment: [String: String]
    let secrets: any SecretStore
    /// Secret values substituted so far.
    private(set) var secretValues: Set<String> = []

    init(environment: [String: String], secrets: any SecretStore) {
        self.environment = environment
        self.secrets = secrets
    }

    /// Substitutes every attribute value and text of `element` and its descendants.
    mutating func apply(to element: inout ParsedElement, diagnostics: inout [Diagnostic]) {
        for name in element.attributes.keys.sorted() {
            if let value = element.attributes[name] {
                element.attributes[name] = substitute(value, at: element.location, diagnostics: &diagnostics)
            }
        }
        element.text = substitute(element.text, at: element.location, diagnostics: &diagnostics)
        for index in element.children.indices {
            apply(to: &element.children[index], diagnostics: &diagnostics)
        }
    }

    /// `text` with its references replaced; an unset name leaves the reference as written
    /// and adds a diagnostic at `location`.
    mutating func substitute(_ text: String, at location: SourceLocation, diagnostics: inout [Diagnostic]) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            let before = rest[..<start.lowerBound]
            if before.hasSuffix("$") {
                result += before.dropLast() + "${"
                rest = rest[start.upperBound...]
                continue
            }
            result += before
            guard let close = rest[start.upperBound...].firstIndex(of: "}") else {
                result += rest[start.lowerBound...]
                return result
            }
            let reference = rest[start.upperBound..<close]
            let whole = String(rest[start.lowerBound...close])
            rest = rest[rest.index(after: close)...]
            result += resolve(reference, written: whole, at: location, diagnostics: &diagnostics)
        }
        result += rest
        return result
    }

    private mutating func resolve(_ reference: Substring, written: String, at location: SourceLocation,
                                  diagnostics: inout [Diagnostic]) -> String {
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            if let value = environment[name] { return value }
            diagnostics.append(Diagnostic(location, "environment variable '\(name)' is not set (used by \(written))"))
            return written
        }
        if reference.hasPrefix("secret:") {
            let name = String(reference.dropFirst(7))
            guard EnvironmentSecretStore.isValidName(name) else {
                diagnostics.append(Diagnostic(location, "'\(name)' is not a valid secret name (used by \(written));"
                    + " use letters, digits, '_', '-' and '.'"))
                return written
            }
            if let value = secrets.secret(named: name) {
                if !value.isEmpty { secretValues.insert(value) }
                return value
            }
            diagnostics.append(Diagnostic(location, "secret '\(name)' is not set (used by \(written))"))
            return written
        }
        return written
    }

    /// `diagnostics` with every substituted secret value replaced by `***`.
    ///
    /// Messages quote values in single quotes, so a quoted secret is always replaced; a
    /// secret of four characters or more is replaced wherever it appears. (Shorter ones
    /// are not, so that a one-letter secret does not garble every message.)
    func redacting(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        SecretRedactor(secretValues).redact(diagnostics)
    }
}

extension String {
    /// The string with every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
