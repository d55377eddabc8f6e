internal import COpenSSL

/// An RSA private key that signs with RSASSA-PKCS1-v1_5 over SHA-256 (JWT `RS256`).
///
/// Owns an OpenSSL `EVP_PKEY`, freed in `deinit`.
///
/// `@unchecked Sendable`: the key is set once in `init` and never mutated afterwards; each
/// signature uses its own digest context, and OpenSSL 3 allows concurrent read-only use of a key.
final class RSASigner: @unchecked Sendable {
    private let key: OpaquePointer

    /// Why a key could not be loaded or used; never contains key material.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Loads a PEM private key, PKCS#8 or PKCS#1 (the RSA-specific PEM form).
    init(pem: String) throws {
        let utf8 = Array(pem.utf8)
        let loaded: OpaquePointer? = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                conveyor_read_private_key_pem(chars.baseAddress, Int32(clamping: chars.count))
            }
        }
        guard let loaded else {
            throw Failure(description: "not a PEM private key (\(Self.drainErrors()))")
        }
        key = try Self.requireRSA(loaded)
    }

    /// Loads the private key of a PKCS#12 bundle (DER, as in `.p12`/`.pfx` files).
    init(pkcs12 der: [UInt8], password: String) throws {
        var status: Int32 = 0
        let loaded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            conveyor_read_pkcs12(buffer.baseAddress, Int32(clamping: buffer.count), password, &status)
        }
        guard let loaded else {
            let detail = Self.drainErrors()
            switch Int(status) {
            case Int(CONVEYOR_P12_NOT_PKCS12): throw Failure(description: "not a PKCS#12 file")
            case Int(CONVEYOR_P12_BAD_PASSWORD): throw Failure(description: "wrong PKCS#12 password")
            case Int(CONVEYOR_P12_NO_KEY): throw Failure(description: "the PKCS#12 file holds no private key")
            default: throw Failure(description: "cannot decrypt the PKCS#12 file (\(detail))")
            }
        }
        key = try Self.requireRSA(loaded)
    }

    private static func requireRSA(_ loaded: OpaquePointer) throws -> OpaquePointer {
        guard conveyor_evp_pkey_is_rsa(loaded) == 1 else {
            EVP_PKEY_free(loaded)
            throw Failure(description: "the private key is not an RSA key")
        }
        return loaded
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Signs `message` with SHA-256 and PKCS#1 v1.5 padding.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw Failure(description: "cannot allocate a digest context")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw Failure(description: "cannot start signing (\(Self.drainErrors()))")
        }
        var length = 0
        let sized = message.withUnsafeBufferPointer { EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count) }
        guard sized == 1, length > 0 else {
            throw Failure(description: "cannot size the signature (\(Self.drainErrors()))")
        }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = signature.withUnsafeMutableBufferPointer { output in
            message.withUnsafeBufferPointer { EVP_DigestSign(context, output.baseAddress, &length, $0.baseAddress, $0.count) }
        }
        guard signed == 1 else {
            throw Failure(description: "signing failed (\(Self.drainErrors()))")
        }
        return Array(signature.prefix(length))
    }

    /// Empties OpenSSL's error queue of this thread and returns its messages.
    static func drainErrors() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 {
                break
            }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no OpenSSL detail" : messages.joined(separator: "; ")
    }
}
