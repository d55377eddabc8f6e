import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Refresh tokens on local disk: one JSON file per connection, readable only by its owner.
///
/// The directory is created with mode 0700 and files are written atomically (a temporary file
/// with mode 0600, then renamed). Errors name the path, never the stored values.
public struct CredentialStore: Sendable {
    /// The directory holding the files.
    public var directory: String

    /// A store in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// `CONVEYOR_CREDENTIALS_DIR`, else `<workspace>/.conveyor/credentials`.
    public static func standard(workspaceRoot: String, environment: [String: String]) -> CredentialStore {
        if let configured = environment["CONVEYOR_CREDENTIALS_DIR"], !configured.isEmpty {
            return CredentialStore(directory: configured)
        }
        return CredentialStore(directory: workspaceRoot + "/.conveyor/credentials")
    }

    /// The file for `connection`: its id with anything but letters, digits, `-`, `_` and `.` replaced.
    public func path(for connection: String) -> String {
        let safe = String(connection.unicodeScalars.map { scalar -> Character in
            let allowed = CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "-_.".unicodeScalars.contains(scalar)
            return allowed ? Character(scalar) : "_"
        })
        return directory + "/" + (safe.hasPrefix(".") ? "_" + safe : safe) + ".json"
    }

    /// The credentials stored for `connection`, or nil when there are none.
    public func load(connection: String) throws -> StoredCredentials? {
        let path = path(for: connection)
        guard FileManager.default.fileExists(atPath: path) else {
            return nil
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AuthError(kind: .credentialStore, path: path, connection: connection, detail: "cannot be read")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(StoredCredentials.self, from: data)
        } catch {
            throw AuthError(kind: .credentialStore, path: path, connection: connection,
                            detail: "is not a credentials file: run `conveyor auth login \(connection)`")
        }
    }

    /// Stores `credentials` for `connection`, replacing what was there.
    public func save(_ credentials: StoredCredentials, connection: String) throws {
        try makeDirectory()
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let target = path(for: connection)
        let data: Data
        do {
            data = try encoder.encode(credentials)
        } catch {
            throw AuthError(kind: .credentialStore, path: target, connection: connection, detail: "cannot encode the credentials")
        }
        let temporary = directory + "/.tmp-\(UUID().uuidString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AuthError(kind: .credentialStore, path: directory, connection: connection, detail: "cannot create a file (\(String(cString: strerror(errno))))")
        }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if count <= 0 {
                    return false
                }
                offset += count
            }
            return true
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written, synced, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw AuthError(kind: .credentialStore, path: target, connection: connection, detail: "cannot be written")
        }
    }

    /// Removes what is stored for `connection`; true if something was removed.
    @discardableResult
    public func remove(connection: String) -> Bool {
        unlink(path(for: connection)) == 0
    }

    /// Creates the directory (0700) if needed and tightens its mode if it exists.
    private func makeDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw AuthError(kind: .credentialStore, path: directory, detail: "cannot create the directory")
        }
        guard chmod(directory, 0o700) == 0 else {
            throw AuthError(kind: .credentialStore, path: directory, detail: "cannot restrict the directory to its owner")
        }
    }
}
