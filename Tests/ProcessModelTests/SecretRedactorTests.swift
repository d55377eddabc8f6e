import Foundation
import Testing
@testable import ProcessModel

/// The redactor replaces each secret in the forms it may be written in: raw, JSON-escaped and
/// Swift-escaped, in text and in bytes.
@Suite struct SecretRedactorTests {
    static let quoteAndBackslash = #"Quo"teSecret\Back"#
    static let tab = "Tab\tSecretValue"
    static let newline = "Line1\nTopSecretTail"
    let redactor = SecretRedactor([quoteAndBackslash, tab, newline])

    @Test("JSON-escaped secrets are redacted in text and bytes")
    func jsonEscaped() {
        let json = #"{"source":"Quo\"teSecret\\Back","tab":"Tab\tSecretValue","line":"Line1\nTopSecretTail","#
            + #""u":"Line1\u000aTopSecretTail","slash":"Tab\u0009SecretValue"}"#
        let expected = #"{"source":"***","tab":"***","line":"***","u":"***","slash":"***"}"#
        #expect(redactor.redact(json) == expected)
        #expect(redactor.redact(bytes: Array(json.utf8)) == Array(expected.utf8))
    }

    @Test("Swift-escaped secrets (debugDescription, \\u{a}) are redacted")
    func swiftEscaped() {
        for secret in [Self.quoteAndBackslash, Self.tab, Self.newline] {
            let message = "\(secret.debugDescription) is not valid"
            #expect(redactor.redact(message) == "\"***\" is not valid", "\(message)")
        }
        #expect(redactor.redact("'Line1\\u{a}TopSecretTail' is not a valid BigQuery table id")
                == "'***' is not a valid BigQuery table id")
        #expect(redactor.redact("'Tab\\tSecretValue' is not a status code") == "'***' is not a status code")
    }

    @Test("raw secrets, short quoted secrets and diagnostics are still redacted")
    func rawAndDiagnostics() {
        #expect(redactor.redact("a \(Self.newline) b") == "a *** b")
        #expect(SecretRedactor(["a\"b"]).redact(#"value 'a\"b' and a"b"#) == #"value '***' and a"b"#)
        let diagnostic = Diagnostic(SourceLocation(file: "c.xml", line: 5), "not '\(Self.tab)'")
        #expect(redactor.redact([diagnostic]).map(\.message) == ["not '***'"])
    }
}
