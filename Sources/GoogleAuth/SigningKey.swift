import Foundation

/// An RSA private key that signs JWT assertions (RS256).
///
/// Loaded from PEM (PKCS#8 or PKCS#1) or from a password-protected PKCS#12 bundle with OpenSSL.
/// Errors name the file and the problem, never key material or the password.
public struct SigningKey: Sendable {
    let signer: RSASigner
    /// The key's identifier, sent as the JWT header's `kid` when known.
    public var keyID: String?

    /// Parses a PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
    public init(pem: String, keyID: String? = nil) throws {
        do {
            signer = try RSASigner(pem: pem)
        } catch let failure as RSASigner.Failure {
            throw AuthError(kind: .signatureKey, path: "(PEM text)", detail: failure.description)
        }
        self.keyID = keyID
    }

    /// Reads a key file: PKCS#12 (`.p12`, `.pfx`, or any file that is not PEM) opened with
    /// `password`, otherwise PEM.
    public static func load(path: String, password: String? = nil) throws -> SigningKey {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AuthError(kind: .signatureKey, path: path, detail: "cannot be read")
        }
        let bytes = [UInt8](data)
        let lowered = path.lowercased()
        let looksPEM = String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN ")
        do {
            if lowered.hasSuffix(".p12") || lowered.hasSuffix(".pfx") || !looksPEM {
                return SigningKey(signer: try RSASigner(pkcs12: bytes, password: password ?? ""), keyID: nil)
            }
            return SigningKey(signer: try RSASigner(pem: String(decoding: bytes, as: UTF8.self)), keyID: nil)
        } catch let failure as RSASigner.Failure {
            throw AuthError(kind: .signatureKey, path: path, detail: failure.description)
        }
    }

    init(signer: RSASigner, keyID: String?) {
        self.signer = signer
        self.keyID = keyID
    }
}
