import Foundation

/// The parts of a Google service-account JSON key file needed to request tokens.
public struct ServiceAccountKey: Sendable {
    /// The account's e-mail address (`client_email`), the JWT issuer.
    public var clientEmail: String
    /// The key's identifier (`private_key_id`), the JWT `kid`.
    public var privateKeyID: String
    /// The RSA private key in PEM (`private_key`).
    public var privateKeyPEM: String
    /// The token endpoint (`token_uri`).
    public var tokenURI: String
    /// The project the account belongs to (`project_id`), if given.
    public var projectID: String?

    /// Creates a key from its parts.
    public init(clientEmail: String, privateKeyID: String, privateKeyPEM: String, tokenURI: String = ServiceAccountKey.defaultTokenURI, projectID: String? = nil) {
        self.clientEmail = clientEmail
        self.privateKeyID = privateKeyID
        self.privateKeyPEM = privateKeyPEM
        self.tokenURI = tokenURI
        self.projectID = projectID
    }

    /// Google's token endpoint, used when a key names none.
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Reads and checks a service-account JSON key file.
    ///
    /// Errors name the file and the problem, never the key material.
    public static func load(path: String) throws -> ServiceAccountKey {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AuthError(kind: .keyFile, path: path, detail: "cannot be read")
        }
        return try parse(data, path: path)
    }

    /// Parses the JSON of a key file; `path` is only used in errors.
    public static func parse(_ data: Data, path: String) throws -> ServiceAccountKey {
        let file: KeyFile
        do {
            file = try JSONDecoder().decode(KeyFile.self, from: data)
        } catch {
            throw AuthError(kind: .keyFile, path: path, detail: "is not a JSON object with client_email, private_key_id and private_key")
        }
        if let type = file.type, type != "service_account" {
            throw AuthError(kind: .keyFile, path: path, detail: "has type \"\(type)\", expected \"service_account\"")
        }
        let missing = [("client_email", file.clientEmail), ("private_key_id", file.privateKeyID), ("private_key", file.privateKey)]
            .filter { $0.1?.isEmpty ?? true }
            .map(\.0)
        guard missing.isEmpty, let email = file.clientEmail, let keyID = file.privateKeyID, let pem = file.privateKey else {
            throw AuthError(kind: .keyFile, path: path, detail: "lacks \(missing.joined(separator: ", "))")
        }
        do {
            _ = try RSASigner(pem: pem)
        } catch {
            throw AuthError(kind: .keyFile, path: path, detail: "private_key is not a readable RSA private key in PEM")
        }
        let tokenURI = (file.tokenURI?.isEmpty ?? true) ? defaultTokenURI : (file.tokenURI ?? defaultTokenURI)
        return ServiceAccountKey(clientEmail: email, privateKeyID: keyID, privateKeyPEM: pem, tokenURI: tokenURI, projectID: file.projectID)
    }

    /// The key file's fields, all optional so that missing ones can be named.
    private struct KeyFile: Decodable {
        var type: String?
        var projectID: String?
        var privateKeyID: String?
        var privateKey: String?
        var clientEmail: String?
        var tokenURI: String?

        enum CodingKeys: String, CodingKey {
            case type
            case projectID = "project_id"
            case privateKeyID = "private_key_id"
            case privateKey = "private_key"
            case clientEmail = "client_email"
            case tokenURI = "token_uri"
        }
    }
}
