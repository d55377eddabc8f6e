import Foundation

/// Secrets from the environment or from a directory of files, one secret per file.
///
/// `secret(named: "BQ_CLIENT")` returns the environment variable `CONVEYOR_SECRET_BQ_CLIENT`
/// when set, otherwise the contents of `<directory>/BQ_CLIENT` with surrounding white space
/// trimmed. Names must start with a letter, digit or `_` and contain only letters, digits,
/// `_`, `-` and `.`, so a name can never reach outside the directory.
public struct EnvironmentSecretStore: SecretStore {
    /// The environment searched for `CONVEYOR_SECRET_<NAME>`.
    public var environment: [String: String]
    /// The secrets directory, or nil to use the environment only.
    public var directory: String?

    /// Creates a store over an environment and an optional secrets directory.
    public init(environment: [String: String], directory: String?) {
        self.environment = environment
        self.directory = directory
    }

    /// The secret's value, or nil when it is set nowhere (or the name is not a valid secret name).
    public func secret(named name: String) -> String? {
        guard EnvironmentSecretStore.isValidName(name) else { return nil }
        if let value = environment["CONVEYOR_SECRET_" + name] { return value }
        guard let directory else { return nil }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name).resolvingSymlinksInPath()
        // Only regular files: reading a FIFO or device could block or never end. (`lstat` rather
        // than Foundation's attribute dictionary, which costs a command about a million instructions.)
        var status = stat()
        guard lstat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
              let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingWhitespace()
    }

    /// Whether `name` may be used as a secret name.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "." && first != "-" else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-" || scalar == ".")
        }
    }
}
