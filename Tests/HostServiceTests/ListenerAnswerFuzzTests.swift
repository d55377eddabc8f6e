import Foundation
import HostService
import ProcessEngine
import ProcessModel
import Testing

/// Throws random and hostile `http.response.*` values at the function that turns returned
/// documents into a listener's answer: each either gives an answer HTTP can carry or an error
/// naming the property, and never traps.
@Suite struct ListenerAnswerFuzzTests {
    /// A small deterministic generator (xorshift), so a failure can be reproduced.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static let hostile = ["1000", "-1", "abc", "0", "99", "100", "199", "600", "65536", "9223372036854775807",
                          "9223372036854775808", "-9223372036854775808", " 200", "200 ", "2 00", "200\r\n",
                          "\u{0}", "", " ", "٢٠٠", "２００", "+200", "0200", "1e2", "0x1F4", "200.0",
                          "text/plain\r\nSet-Cookie: a=b", "a\nb", "\u{7F}", "été", String(repeating: "9", count: 10_000)]

    static func randomText(_ generator: inout Generator) -> String {
        let alphabet = Array("0123456789 +-.eExX\r\n\t\u{0}\u{7F}/;=aé٢２\"'") + ["\u{200B}"]
        let length = Int(generator.next() % 12)
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    static func check(_ properties: [String: String], documents count: Int) {
        let documents = (0..<count).map { _ in Document(data: Array("{\"a\":1}".utf8), properties: properties) }
        do {
            let answer = try ListenerAnswer.make(returning: documents)
            #expect(ListenerAnswer.allowedStatuses.contains(answer.status), "\(properties)")
            #expect(!answer.contentType.isEmpty)
            #expect(answer.contentType.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "\(properties)")
            #expect(answer.contentType.first != " " && answer.contentType.last != " ")
            if let text = properties["http.response.status"] {
                #expect(Int(text.trimmingCharacters(in: .whitespaces)) == answer.status, "\(properties)")
            }
        } catch {
            #expect(error.message.hasPrefix("document property http.response."), "\(error.message)")
            #expect(!error.message.contains("\r") && !error.message.contains("\n"), "\(error.message)")
            #expect(error.message.count < 400)
        }
    }

    @Test func hostileValuesNeverTrap() {
        for value in Self.hostile {
            for count in [1, 2] {
                Self.check(["http.response.status": value], documents: count)
                Self.check(["http.response.content-type": value], documents: count)
                Self.check(["http.response.status": value, "http.response.content-type": value], documents: count)
            }
        }
        #expect(throws: ListenerAnswerError.self) { try ListenerAnswer.make(returning: [
            Document(data: [], properties: ["http.response.status": "1000"]),
        ]) }
    }

    @Test func randomValuesNeverTrap() {
        var generator = Generator(state: 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<20_000 {
            var properties: [String: String] = [:]
            if generator.next() % 4 != 0 { properties["http.response.status"] = Self.randomText(&generator) }
            if generator.next() % 2 == 0 { properties["http.response.content-type"] = Self.randomText(&generator) }
            if generator.next() % 3 == 0 {
                properties["http.response.status"] = String(Int(truncatingIfNeeded: generator.next()) % 1_200)
            }
            Self.check(properties, documents: 1 + Int(generator.next() % 2))
        }
    }

    @Test func validValuesAreKept() throws {
        let answer = try ListenerAnswer.make(returning: [
            Document(data: Array("a,b\n".utf8), properties: ["http.response.status": "201",
                                                             "http.response.content-type": "text/csv; charset=utf-8"]),
        ])
        #expect(answer == ListenerAnswer(status: 201, contentType: "text/csv; charset=utf-8", body: Array("a,b\n".utf8)))
    }

    @Test func secretValuesAreRedactedFromTheAnswer() throws {
        let redactor = SecretRedactor(["s3cr3t-value"])
        let one = try ListenerAnswer.make(returning: [Document(data: Array("key=s3cr3t-value;".utf8), properties: [:])],
                                          redactor: redactor)
        #expect(String(decoding: one.body, as: UTF8.self) == "key=***;")
        let two = try ListenerAnswer.make(returning: [
            Document(data: Array(#"{"k":"s3cr3t-value"}"#.utf8), properties: [:]),
            Document(data: Array("plain s3cr3t-value".utf8), properties: [:]),
        ], redactor: redactor)
        #expect(String(decoding: two.body, as: UTF8.self) == #"[{"k":"***"},"plain ***"]"#)
    }
}
