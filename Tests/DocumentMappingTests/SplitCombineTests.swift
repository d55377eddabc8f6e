import Testing
@testable import DocumentMapping

@Suite struct SplitCombineTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    func texts(_ parts: [[UInt8]]) -> [String] { parts.map { String(decoding: $0, as: UTF8.self) } }

    func splitError(_ text: String, _ format: SplitFormat, _ path: String? = nil) -> String? {
        do {
            _ = try DocumentSplitter.split(bytes(text), by: format, path: path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func jsonArrayTopLevelAndAtPath() throws {
        #expect(texts(try DocumentSplitter.split(bytes(#"[1, {"a": "x"} ,[]]"#), by: .jsonArray, path: nil))
                == ["1", #"{"a":"x"}"#, "[]"])
        #expect(texts(try DocumentSplitter.split(bytes(#"{"items":[{"n":1},{"n":2}]}"#), by: .jsonArray, path: "/items"))
                == [#"{"n":1}"#, #"{"n":2}"#])
        #expect(splitError(#"{"items":{}}"#, .jsonArray, "/items") == "split json-array: /items is not an array (found an object)")
        #expect(splitError(#"{"a":1}"#, .jsonArray, "/items") == "split json-array: /items is not in the document")
        #expect(splitError("[1,", .jsonArray)?.hasPrefix("split json-array: input is not valid JSON") == true)
        #expect(try DocumentSplitter.split([], by: .jsonArray, path: nil).isEmpty)
    }

    @Test func jsonLinesSkipsBlankLines() throws {
        #expect(texts(try DocumentSplitter.split(bytes("{\"a\":1}\r\n\n  \n{\"a\":2}"), by: .jsonLines, path: nil))
                == [#"{"a":1}"#, #"{"a":2}"#])
        #expect(try DocumentSplitter.split(bytes("\n\n"), by: .jsonLines, path: nil).isEmpty)
    }

    @Test func csvRowsRepeatTheHeaderAndKeepQuotedLineBreaks() throws {
        let text = "sku,note\r\nA,\"two\nlines, \"\"quoted\"\"\"\n\nB,plain\n"
        #expect(texts(try DocumentSplitter.split(bytes(text), by: .csvRows, path: nil))
                == ["sku,note\nA,\"two\nlines, \"\"quoted\"\"\"\n", "sku,note\nB,plain\n"])
        #expect(try DocumentSplitter.split(bytes("sku,note\n"), by: .csvRows, path: nil).isEmpty)
        #expect(splitError("a\n\"open\n", .csvRows) == "split csv-rows: a quoted field is not closed (line 2)")
    }

    @Test func xmlElementsAtNestedPath() throws {
        let text = "<shop><orders><order id=\"1\"><sku>A &amp; B</sku></order><other/><order id=\"2\"/></orders>"
            + "<orders><order id=\"3\"><line><n>1</n></line></order></orders></shop>"
        let parts = texts(try DocumentSplitter.split(bytes(text), by: .xmlElement, path: "/shop/orders/order"))
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        #expect(parts == [header + "<order id=\"1\"><sku>A &amp; B</sku></order>", header + "<order id=\"2\"/>",
                          header + "<order id=\"3\"><line><n>1</n></line></order>"])
        #expect(splitError("<a><b/></a>", .xmlElement, "/x/b") == "split xml-element: line 1: the root element is <a>, not <x>")
        #expect(splitError("<a/>", .xmlElement, nil) == "split xml-element: a path such as /orders/order is required")
        #expect(splitError("<!DOCTYPE a><a/>", .xmlElement, "/a/b")
                == "split xml-element: line 1: DOCTYPE is not allowed in documents")
        #expect(try DocumentSplitter.split(bytes(" \n"), by: .xmlElement, path: "/a/b").isEmpty)
    }

    @Test func combineEachFormat() throws {
        let parts = [bytes("{\"a\":1}"), bytes(" {\n \"b\": [1, 2]\n}\n")]
        #expect(String(decoding: try DocumentCombiner.combine(parts, into: .jsonArray), as: UTF8.self)
                == #"[{"a":1},{"b":[1,2]}]"#)
        #expect(String(decoding: try DocumentCombiner.combine(parts, into: .jsonLines), as: UTF8.self)
                == "{\"a\":1}\n{\"b\":[1,2]}\n")
        #expect(try DocumentCombiner.combine([], into: .jsonArray) == bytes("[]"))
        #expect(try DocumentCombiner.combine([], into: .csv).isEmpty)
        let csv = [bytes("sku,n\nA,1\n"), bytes("sku,n\r\n\"B\nb\",2\nC,3"), bytes("sku,n\n")]
        #expect(String(decoding: try DocumentCombiner.combine(csv, into: .csv), as: UTF8.self)
                == "sku,n\nA,1\n\"B\nb\",2\nC,3\n")
        #expect(throws: SplitCombineError.self) { try DocumentCombiner.combine([bytes("{")], into: .jsonLines) }
        do {
            _ = try DocumentCombiner.combine([bytes("[1]"), bytes("nope")], into: .jsonArray)
        } catch {
            #expect("\(error)".hasPrefix("combine json-array: part 1 is not valid JSON"))
        }
    }

    @Test func splitThenCombineRoundTripsCSV() throws {
        let text = "a,b\n1,\"x,y\"\n2,z\n"
        let parts = try DocumentSplitter.split(bytes(text), by: .csvRows, path: nil)
        #expect(try DocumentCombiner.combine(parts, into: .csv) == bytes(text))
    }
}
