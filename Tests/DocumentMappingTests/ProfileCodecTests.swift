import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct ProfileCodecTests {
    static func element(_ name: String, _ type: String = "character", required: Bool = false, repeats: Bool = false,
                        attribute: Bool = false, format: String? = nil, _ children: [ProfileElement] = []) -> ProfileElement {
        var made = ProfileElement(name: name, type: type, required: required, format: format, children: children,
                                  location: Profiles.here(2))
        made.repeats = repeats
        made.isAttribute = attribute
        return made
    }

    static let xmlOrder = ProfileDefinition(id: "xml-order", type: .xml, elements: [
        element("currency", attribute: true),
        element("id", "number", required: true),
        element("paid", "boolean"),
        element("note"),
        element("placedAt", "datetime", format: "yyyy-MM-dd'T'HH:mm:ssXXX"),
        element("item", "object", repeats: true, [element("sku", required: true), element("qty", "number")]),
        element("price", "number", [element("unit", attribute: true)]),
    ], options: ["root": "order"], location: Profiles.here(1))

    static let csvLines = ProfileDefinition(id: "lines", type: .csv, elements: [
        element("sku", required: true), element("qty", "number"), element("gift", "boolean"),
    ], options: ["delimiter": ";", "header": "true"], location: Profiles.here(1))

    func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }

    func readError(_ codec: ProfileCodec, _ text: String, index: Int = 3) -> String? {
        do {
            _ = try codec.read(Array(text.utf8), documentIndex: index)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func xmlIsReadIntoTypedTreeWithRootAttributesAndArrays() throws {
        let value = try ProfileCodec(profile: Self.xmlOrder).read(try fixture("order.xml"), documentIndex: 0)
        let id = try DocumentPath("/order/id").firstValue(in: value)
        #expect(id == .number("17"))
        #expect(try DocumentPath("/order/@currency").firstValue(in: value) == "EUR")
        #expect(try DocumentPath("/order/paid").firstValue(in: value) == true)
        #expect(try DocumentPath("/order/note").firstValue(in: value) == "Fish & Chips <raw>")
        #expect(try DocumentPath("/order/item/*/sku").values(in: value) == ["A-1"])
        #expect(try DocumentPath("/order/item/0/qty").firstValue(in: value) == 2)
        #expect(try DocumentPath("/order/price").firstValue(in: value) == ["@unit": "kg", "#text": .number("12.50")])
    }

    @Test func xmlTypeAndRequiredErrorsNameDocumentAndPath() {
        let codec = ProfileCodec(profile: Self.xmlOrder)
        let text = "<order><id>1</id><item><sku>a</sku><qty>2</qty></item><item><sku>b</sku><qty>x</qty></item>"
            + "<item><qty>1</qty></item></order>"
        #expect(readError(codec, text) == "document 3: /order/item/1/qty: 'x' is not a number; "
                + "/order/item/2/sku: required element is missing")
        #expect(readError(codec, "<order><paid>maybe</paid></order>")
                == "document 3: /order/paid: 'maybe' is not a boolean; /order/id: required element is missing")
        #expect(readError(codec, "<invoice/>") == "document 3: /: the root element is <invoice>, expected <order>")
        #expect(readError(codec, "<order><id>1</order>")?.hasPrefix("document 3: /: not well-formed XML (line 1)") == true)
        #expect(readError(codec, "<order><id>1</id><placedAt>May 1</placedAt></order>")
                == "document 3: /order/placedAt: 'May 1' is not a datetime in format 'yyyy-MM-dd'T'HH:mm:ssXXX'")
    }

    @Test func xmlDoctypeAndEntitiesAreRefused() {
        let codec = ProfileCodec(profile: Self.xmlOrder)
        let external = """
        <?xml version="1.0"?>
        <!DOCTYPE order [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <order><id>&x;</id></order>
        """
        #expect(readError(codec, external) == "document 3: /: not well-formed XML (line 2): DOCTYPE is not allowed in documents")
        #expect(readError(codec, "<order><id>&undeclared;</id></order>")?.contains("not well-formed XML") == true)
        #expect(readError(codec, "   ") == "document 3: /: not well-formed XML (line 1): document is empty")
    }

    @Test func xmlIsWrittenWithEscapingAttributesAndRepeats() throws {
        let codec = ProfileCodec(profile: Self.xmlOrder)
        let tree: JSONValue = ["order": ["@currency": "E\"U<R", "id": 5, "note": "a & <b>",
                                         "item": [["sku": "x"], ["sku": "y"]], "price": ["@unit": "kg", "#text": 3]]]
        let text = String(decoding: try codec.write(tree), as: UTF8.self)
        #expect(text == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<order currency=\"E&quot;U&lt;R\"><id>5</id>"
                + "<note>a &amp; &lt;b&gt;</note><item><sku>x</sku></item><item><sku>y</sku></item>"
                + "<price unit=\"kg\">3</price></order>\n")
        // What is written reads back to the same tree (types come from the profile).
        let back = try codec.read(try codec.write(tree))
        #expect(try DocumentPath("/order/item/*/sku").values(in: back) == ["x", "y"])
        #expect(try DocumentPath("/order/@currency").firstValue(in: back) == "E\"U<R")
        #expect(throws: DocumentWriteError.self) { try codec.write(["order": ["bad name": 1]]) }
    }

    @Test func csvIsReadAsRecordsByHeaderName() throws {
        let codec = ProfileCodec(profile: Self.csvLines)
        let text = "gift;sku;qty;extra\r\nyes;\"A;1\";2;e\nno;\"multi\nline \"\"q\"\"\";3.50;\n"
        let value = try codec.read(Array(text.utf8))
        #expect(value == [["sku": "A;1", "qty": 2, "gift": true, "extra": "e"],
                          ["sku": "multi\nline \"q\"", "qty": .number("3.50"), "gift": false, "extra": ""]])
        #expect(try DocumentPath("/*/sku").values(in: value) == ["A;1", "multi\nline \"q\""])
    }

    @Test func csvErrorsNameRowAndColumn() {
        let codec = ProfileCodec(profile: Self.csvLines)
        #expect(readError(codec, "sku;qty\nA;1\n;x\n") == "document 3: /1/sku: required column is empty; /1/qty: 'x' is not a number")
        #expect(readError(codec, "sku;qty\n\"open;1\n")?.hasPrefix("document 3: /: not valid CSV (line 2)") == true)
        #expect(readError(codec, "qty\n1\n") == "document 3: /*/sku: required column is not in the header; /0/sku: required column is empty")
    }

    @Test func csvWithoutHeaderIsPositionalAndIsWrittenQuoted() throws {
        var profile = Self.csvLines
        profile.options = ["header": "false"]
        let codec = ProfileCodec(profile: profile)
        #expect(try codec.read(Array("A,1,true\n".utf8)) == [["sku": "A", "qty": 1, "gift": true]])
        let written = try codec.write([["sku": "a,b", "qty": 1], ["sku": "say \"hi\"", "gift": false]])
        #expect(String(decoding: written, as: UTF8.self) == "\"a,b\",1,\n\"say \"\"hi\"\"\",,false\n")
        let withHeader = try ProfileCodec(profile: Self.csvLines).write(["sku": "one;two", "qty": 2])
        #expect(String(decoding: withHeader, as: UTF8.self) == "sku;qty;gift\n\"one;two\";2;\n")
    }

    @Test func jsonProfileReadsAndValidates() {
        let codec = ProfileCodec(profile: Profiles.order)
        #expect(readError(codec, #"{"id":"x"}"#, index: 0) == "document 0: /id: expected number, found \"x\"")
        #expect(readError(codec, "{", index: 1)?.hasPrefix("document 1: /: not valid JSON") == true)
    }
}
