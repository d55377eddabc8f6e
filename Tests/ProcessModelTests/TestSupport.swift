import Foundation
@testable import ProcessModel

/// A secret store backed by a dictionary.
struct DictionarySecrets: SecretStore {
    var values: [String: String] = [:]
    func secret(named name: String) -> String? { values[name] }
}

/// The directory of a fixture workspace.
func fixture(_ name: String) -> String {
    guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { return "missing-fixtures" }
    return url.appendingPathComponent(name).path
}

/// Loads a workspace and returns its diagnostics (empty when it loaded).
func diagnostics(of root: String, environment: [String: String] = [:],
                 secrets: [String: String] = [:]) -> [Diagnostic] {
    let loader = WorkspaceLoader(root: root, environment: environment, secrets: DictionarySecrets(values: secrets))
    do {
        _ = try loader.load()
        return []
    } catch {
        return error.diagnostics
    }
}

/// `file:line:col: error: message` lines, for readable expectations.
func lines(_ diagnostics: [Diagnostic]) -> [String] { diagnostics.map(\.description) }

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-model-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` to `relative` under `root`, creating folders.
func write(_ text: String, to relative: String, in root: URL) throws {
    let url = root.appendingPathComponent(relative)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}
