import Foundation

/// A Google service-account JSON key file.
public struct ServiceAccountKey: Sendable {
    public var clientEmail: String
    public var privateKeyID: String
    public var privateKeyPEM: String
    public var tokenURI: String
    public var projectID: String?

    public init(clientEmail: String, privateKeyID: String, privateKeyPEM: String, tokenURI: String, projectID: String?) {
        self.clientEmail = clientEmail
        self.privateKeyID = privateKeyID
        self.privateKeyPEM = privateKeyPEM
        self.tokenURI = tokenURI
        self.projectID = projectID
    }

    /// Reads a key file; errors name the file and the missing field, never the key material.
    public static func load(path: String) throws -> ServiceAccountKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuthError(source: path, message: "cannot read the service account key file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw AuthError(source: path, message: "the service account key file is not a JSON object")
        }
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw AuthError(source: path, message: "the service account key file has no \"\(name)\"")
            }
            return value
        }
        if let type = object["type"] as? String, type != "service_account" {
            throw AuthError(source: path, message: "the key file has type \"\(type)\", not \"service_account\"")
        }
        return ServiceAccountKey(clientEmail: try field("client_email"), privateKeyID: try field("private_key_id"),
                                 privateKeyPEM: try field("private_key"),
                                 tokenURI: (object["token_uri"] as? String) ?? "https://oauth2.googleapis.com/token",
                                 projectID: object["project_id"] as? String)
    }
}
