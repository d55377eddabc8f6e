import TestSupport
import Foundation
import Testing
@testable import GoogleAuth

@Suite("Service account key files")
struct ServiceAccountKeyTests {
    @Test func loadsAKeyFile() throws {
        let directory = try LocalServer.temporaryDirectory()
        let pem = try String(contentsOfFile: try TokenServerFixture.generateKey(in: directory, name: "k"), encoding: .utf8)
        let path = directory.appendingPathComponent("key.json").path
        try TokenServerFixture.writeKeyFile(path, privateKeyPEM: pem, tokenURI: "http://127.0.0.1:9/token")
        let key = try ServiceAccountKey.load(path: path)
        #expect(key.clientEmail == TokenServerFixture.clientEmail)
        #expect(key.privateKeyID == "key-1")
        #expect(key.tokenURI == "http://127.0.0.1:9/token")
        #expect(key.projectID == "conveyor-test")
        #expect(key.privateKeyPEM.contains("-----BEGIN " + "PRIVATE KEY-----"))
    }

    @Test func missingFileIsNamed() throws {
        let error = try #require(throws: AuthError.self) {
            _ = try ServiceAccountKey.load(path: "/nonexistent/sa.json")
        }
        #expect(error.kind == .keyFile)
        #expect(error.description == "service account key /nonexistent/sa.json: cannot be read")
    }

    @Test func incompleteOrBrokenKeysAreRejectedWithoutShowingKeyMaterial() throws {
        let directory = try LocalServer.temporaryDirectory()
        let missing = directory.appendingPathComponent("missing.json")
        try Data(#"{"type":"service_account","client_email":"a@b.c"}"#.utf8).write(to: missing)
        let error = try #require(throws: AuthError.self) { _ = try ServiceAccountKey.load(path: missing.path) }
        #expect(error.description == "service account key \(missing.path): lacks private_key_id, private_key")

        let secret = "-----BEGIN " + "PRIVATE KEY-----\nTUFURVJJQUwtU0VDUkVU\n-----END " + "PRIVATE KEY-----\n"
        let broken = directory.appendingPathComponent("broken.json")
        try TokenServerFixture.writeKeyFile(broken.path, privateKeyPEM: secret, tokenURI: "")
        let keyError = try #require(throws: AuthError.self) { _ = try ServiceAccountKey.load(path: broken.path) }
        #expect(keyError.description.contains(broken.path))
        #expect(keyError.description.contains("not a readable RSA private key"))
        #expect(!keyError.description.contains("TUFURVJJQUwtU0VDUkVU"))

        let notJSON = directory.appendingPathComponent("garbage.json")
        try Data("not json".utf8).write(to: notJSON)
        let jsonError = try #require(throws: AuthError.self) { _ = try ServiceAccountKey.load(path: notJSON.path) }
        #expect(jsonError.description.hasPrefix("service account key \(notJSON.path): is not a JSON object"))

        let user = directory.appendingPathComponent("user.json")
        try Data(#"{"type":"authorized_user","client_id":"x"}"#.utf8).write(to: user)
        let typeError = try #require(throws: AuthError.self) { _ = try ServiceAccountKey.load(path: user.path) }
        #expect(typeError.description.contains("\"authorized_user\""))
    }

    @Test func missingTokenURIDefaultsToGoogle() throws {
        let directory = try LocalServer.temporaryDirectory()
        let pem = try String(contentsOfFile: try TokenServerFixture.generateKey(in: directory, name: "k"), encoding: .utf8)
        let path = directory.appendingPathComponent("key.json").path
        try TokenServerFixture.writeKeyFile(path, privateKeyPEM: pem, tokenURI: "")
        #expect(try ServiceAccountKey.load(path: path).tokenURI == "https://oauth2.googleapis.com/token")
    }
}

@Suite("JWT assertion")
struct JWTAssertionTests {
    func decodeSegment(_ segment: Substring) throws -> [String: Any] {
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let data = try #require(Data(base64Encoded: base64))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(arguments: [false, true])
    func headerAndClaims(pkcs1: Bool) throws {
        let directory = try LocalServer.temporaryDirectory()
        var keyPath = try TokenServerFixture.generateKey(in: directory, name: "k")
        if pkcs1 {
            keyPath = try TokenServerFixture.pkcs1(from: keyPath)
        }
        let pem = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(pem.contains("-----BEGIN " + (pkcs1 ? "RSA " : "") + "PRIVATE KEY-----"))
        let key = ServiceAccountKey(clientEmail: "a@b.iam.gserviceaccount.com", privateKeyID: "kid-9", privateKeyPEM: pem)
        let assertion = JWTAssertion(
            key: key,
            scopes: ["https://www.googleapis.com/auth/bigquery", "https://www.googleapis.com/auth/cloud-platform"],
            audience: "https://oauth2.googleapis.com/token",
            subject: "person@example.com"
        )
        let jwt = try assertion.signed(now: Date(timeIntervalSince1970: 1_700_000_000), signer: try RSASigner(pem: pem))
        #expect(!jwt.contains("="))
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        let header = try decodeSegment(parts[0])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == "kid-9")
        let claims = try decodeSegment(parts[1])
        #expect(claims["iss"] as? String == "a@b.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/bigquery https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(claims["iat"] as? Int == 1_700_000_000)
        #expect(claims["exp"] as? Int == 1_700_003_600)
        #expect(claims["sub"] as? String == "person@example.com")
        #expect(parts[2].count == 342)  // 256-byte RS256 signature in base64url
    }

    @Test func formEncoding() {
        #expect(FormEncoding.escape("urn:ietf:params:oauth:grant-type:jwt-bearer") == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer")
        #expect(String(decoding: FormEncoding.encode([("a b", "x/y+z"), ("é", "~.-_")]), as: UTF8.self) == "a%20b=x%2Fy%2Bz&%C3%A9=~.-_")
    }
}
