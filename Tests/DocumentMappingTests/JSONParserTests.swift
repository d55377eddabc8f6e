import Testing
@testable import DocumentMapping

@Suite struct JSONParserTests {
    @Test(arguments: [
        "null", "true", "false", "0", "-0", "12", "-3.25", "1e10", "1E-7", "2.5e+3", "\"\"", "\"text\"",
        "[]", "{}", "[1,\"a\",null,true,{\"k\":[false]}]", "{\"a\":{\"b\":{\"c\":[1,2,3]}},\"d\":\"é✓\"}",
    ])
    func validDocumentsRoundTrip(_ text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(value.jsonString == text)
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test func whitespaceIsIgnoredAndOutputIsCompact() throws {
        let value = try JSONParser.parse(" \n\t{ \"a\" : [ 1 , 2 ] ,\r\n \"b\" : { } } \n")
        #expect(value.jsonString == "{\"a\":[1,2],\"b\":{}}")
    }

    @Test func numbersKeepTheirLiteralText() throws {
        let value = try JSONParser.parse("[123456789012345678901234567890, 0.10000000000000000001, -1.50, 1e400]")
        #expect(value == .array([.number("123456789012345678901234567890"), .number("0.10000000000000000001"),
                                 .number("-1.50"), .number("1e400")]))
        #expect(value.jsonString == "[123456789012345678901234567890,0.10000000000000000001,-1.50,1e400]")
    }

    @Test func membersKeepOrderAndRepeatedKeysKeepTheLastValue() throws {
        let value = try JSONParser.parse("{\"z\":1,\"a\":2,\"z\":3}")
        #expect(value.objectValue?.keys == ["z", "a"])
        #expect(value[key: "z"] == .number("3"))
    }

    @Test func escapesAreDecoded() throws {
        let value = try JSONParser.parse(#""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC""#)
        #expect(value == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t Aé€"))
    }

    @Test func surrogatePairsCombineAndLoneSurrogatesAreReplaced() throws {
        #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""a\uD83Db""#) == .string("a\u{FFFD}b"))
        #expect(try JSONParser.parse(#""\uDE00""#) == .string("\u{FFFD}"))
        #expect(try JSONParser.parse(#""\uD83D\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test func rawUTF8PassesThroughAndByteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"name\":\"Zoë 😀\"}".utf8)
        let value = try JSONParser.parse(bytes)
        #expect(value[key: "name"] == .string("Zoë 😀"))
    }

    @Test func serializationEscapesControlCharactersQuotesAndBackslashes() {
        let value = JSONValue.object(JSONObject([("k\"", .string("a\"b\\c\nd\u{01}\u{1F}é"))]))
        #expect(value.jsonString == #"{"k\"":"a\"b\\c\nd\u0001\u001fé"}"#)
        var buffer: [UInt8] = Array("x".utf8)
        JSONValue.string("\t").serialize(into: &buffer)
        #expect(buffer == Array("x\"\\t\"".utf8))
    }

    struct Malformed: Sendable, CustomStringConvertible {
        let text: String
        let message: String
        let line: Int
        let column: Int
        var description: String { text }
    }

    @Test(arguments: [
        Malformed(text: "{\"a\":1 \"b\":2}", message: "expected ',' or '}'", line: 1, column: 8),
        Malformed(text: "[1,2", message: "expected ',' or ']'", line: 1, column: 5),
        Malformed(text: "{\"a\":1,}", message: "expected a string key, found '}'", line: 1, column: 8),
        Malformed(text: "[01]", message: "invalid number", line: 1, column: 2),
        Malformed(text: "{\n  \"a\": tru\n}", message: "invalid literal, expected 'true'", line: 2, column: 8),
        Malformed(text: "\"abc", message: "unterminated string", line: 1, column: 1),
        Malformed(text: "\"a\\x\"", message: "invalid escape sequence in string", line: 1, column: 3),
        Malformed(text: "{} x", message: "unexpected data after the JSON value", line: 1, column: 4),
        Malformed(text: "", message: "unexpected end of input, expected a value", line: 1, column: 1),
        Malformed(text: "[1.]", message: "invalid number", line: 1, column: 2),
        Malformed(text: "\"a\u{01}\"", message: "unescaped control character in string", line: 1, column: 3),
        Malformed(text: "{\"a\" 1}", message: "expected ':'", line: 1, column: 6),
        Malformed(text: "\"\\u12G4\"", message: "invalid \\u escape: expected four hex digits", line: 1, column: 6),
    ])
    func malformedInputReportsPosition(_ input: Malformed) {
        #expect {
            _ = try JSONParser.parse(input.text)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.message == input.message && error.line == input.line && error.column == input.column
        }
    }

    @Test func errorDescriptionNamesLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\"order\": 12345 \"x\"}")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "expected ',' or '}' at line 1, column 17")
            #expect(error.offset == 16)
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONParseError.self) { _ = try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func nestingBeyondTheLimitIsRejected() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try JSONParser.parse(deep)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "nesting deeper than 512 levels")
            #expect(error.column == 513)
        }
        let allowed = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSONParser.parse(allowed).arrayValue?.count == 1)
    }

    @Test func textValueRendersScalarsAndContainers() throws {
        let value = try JSONParser.parse("{\"s\":\"x\",\"n\":1.50,\"b\":false,\"z\":null,\"o\":{\"k\":[1]}}")
        #expect(value[key: "s"]?.textValue == "x")
        #expect(value[key: "n"]?.textValue == "1.50")
        #expect(value[key: "b"]?.textValue == "false")
        #expect(value[key: "z"]?.textValue == nil)
        #expect(value[key: "z"]?.isNull == true)
        #expect(value[key: "o"]?.textValue == "{\"k\":[1]}")
        #expect(value[key: "o"]?[key: "k"]?[index: 0] == .number("1"))
        #expect(value[key: "o"]?[key: "k"]?[index: 1] == nil)
    }
}
