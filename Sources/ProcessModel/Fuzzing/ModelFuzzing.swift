import Foundation

/// Entry points that run arbitrary bytes through the parsers of this module.
///
/// The fuzz targets and the corpus tests call the same functions. Each returns the broken
/// invariants it noticed (empty when all is well); crashes and hangs are for the caller to see.
package enum ModelFuzzing {
    /// A secret the substitution fuzzing resolves; it must never show up in a diagnostic.
    package static let secretValue = "fuzz-secret-value-91c4"

    /// Parses, validates, substitutes and reads `bytes` as one workspace component, then
    /// runs the workspace checks over it.
    static func component(_ bytes: [UInt8], schemas: inout SchemaCatalog) -> [String] {
        var substitution = Substitution(environment: ["HOME": "/home/fuzz"], secrets: FuzzSecrets())
        var components = LoadedComponents()
        var file = ComponentFile(path: "processes/fuzz.xml", bytes: bytes)
        file.load(schemas: &schemas, substitution: &substitution, into: &components)
        var diagnostics = file.diagnostics
        diagnostics += WorkspaceChecker(components: components).check()
        return secretLeaks(in: substitution.redacting(diagnostics))
    }

    /// Substitutes `${env:…}`/`${secret:…}` references in `bytes` read as UTF-8 text.
    package static func substitution(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        var substitution = Substitution(environment: ["HOME": "/home/fuzz", "E": ""], secrets: FuzzSecrets())
        var diagnostics: [Diagnostic] = []
        let location = SourceLocation(file: "processes/fuzz.xml", line: 1)
        _ = substitution.substitute(text, at: location, diagnostics: &diagnostics)
        return secretLeaks(in: substitution.redacting(diagnostics))
    }

    /// Parses `bytes` as a cron expression and, when valid, computes a few fire times.
    package static func cron(_ bytes: [UInt8]) -> [String] {
        guard let expression = try? CronExpression(String(decoding: bytes, as: UTF8.self)) else { return [] }
        var problems: [String] = []
        let zones = [TimeZone(identifier: "UTC"), TimeZone(identifier: "Europe/Paris")].compactMap { $0 }
        for zone in zones {
            var date = Date(timeIntervalSince1970: 1_711_846_800)  // 2024-03-31, a DST change in Paris
            for _ in 0..<3 {
                guard let next = expression.nextFire(after: date, in: zone) else { break }
                if next <= date { problems.append("'\(expression)' fires at \(next), not after \(date)") }
                date = next
            }
        }
        return problems
    }

    private static func secretLeaks(in diagnostics: [Diagnostic]) -> [String] {
        diagnostics.filter { $0.description.contains(secretValue) }.map { "secret in diagnostic: \($0)" }
    }
}

/// Runs component files through the loader, keeping the compiled schemas between runs.
package struct ComponentFuzzer {
    private var schemas = SchemaCatalog()

    /// A loader with no schema compiled yet.
    package init() {}

    /// See ``ModelFuzzing/component(_:schemas:)``.
    package mutating func run(_ bytes: [UInt8]) -> [String] {
        ModelFuzzing.component(bytes, schemas: &schemas)
    }
}

/// The secret store of the fuzz entry points: one secret, `FUZZ`.
struct FuzzSecrets: SecretStore {
    func secret(named name: String) -> String? {
        name == "FUZZ" ? ModelFuzzing.secretValue : nil
    }
}
