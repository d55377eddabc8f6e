internal import COpenSSL
import Foundation

/// Signs with an RSA private key, RSASSA-PKCS1-v1_5 with SHA-256 (JWT `RS256`), through OpenSSL.
/// Owns the OpenSSL key and frees it in `deinit`; immutable after init, so it is safe to share.
final class RS256Signer: @unchecked Sendable {
    private let key: OpaquePointer

    /// Loads a PEM private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`).
    init(pem: String) throws {
        let bytes = Array(pem.utf8)
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let loaded else {
            ERR_clear_error()
            throw AuthError(source: "private key", message: "the private key is not a valid PEM RSA key")
        }
        guard EVP_PKEY_get_base_id(loaded) == EVP_PKEY_RSA else {
            EVP_PKEY_free(loaded)
            throw AuthError(source: "private key", message: "the private key is not an RSA key (RS256 needs RSA)")
        }
        key = loaded
    }

    deinit { EVP_PKEY_free(key) }

    /// The signature of `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw AuthError(source: "OpenSSL", message: "cannot allocate a digest context")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1,
              EVP_DigestSignUpdate(context, message, message.count) == 1 else {
            ERR_clear_error()
            throw AuthError(source: "OpenSSL", message: "cannot start an RS256 signature")
        }
        var length = 0
        guard EVP_DigestSignFinal(context, nil, &length) == 1 else {
            ERR_clear_error()
            throw AuthError(source: "OpenSSL", message: "cannot size the RS256 signature")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSignFinal(context, &signature, &length) == 1 else {
            ERR_clear_error()
            throw AuthError(source: "OpenSSL", message: "RS256 signing failed")
        }
        return Array(signature.prefix(length))
    }
}

enum Base64URL {
    /// Base64url without padding (RFC 7515).
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
