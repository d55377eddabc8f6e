import Testing
@testable import DocumentMapping

@Suite struct DocumentPathTests {
    let document: JSONValue = [
        "order": ["id": 7, "customer": ["name": "Ada"]],
        "items": [["sku": "A1", "qty": 2], ["qty": 1], ["sku": "C3", "tags": ["x", "y"]]],
    ]

    @Test func rootSelectsTheWholeDocument() throws {
        #expect(try DocumentPath("/").values(in: document) == [document])
        #expect(try DocumentPath("/").segments.isEmpty)
    }

    @Test func nestedMembers() throws {
        #expect(try DocumentPath("/order/id").values(in: document) == [7])
        #expect(try DocumentPath("/order/customer/name").values(in: document) == ["Ada"])
    }

    @Test func wildcardsSelectEveryElementInOrder() throws {
        #expect(try DocumentPath("/items/*/sku").values(in: document) == ["A1", "C3"])
        #expect(try DocumentPath("/items/*/tags/*").values(in: document) == ["x", "y"])
        #expect(try DocumentPath("/items/1/qty").values(in: document) == [1])
        let matches = try DocumentPath("/items/*/sku").matches(in: document)
        #expect(matches.map(\.indices) == [[0], [2]])
    }

    @Test func missingPathsSelectNothing() throws {
        #expect(try DocumentPath("/order/missing").values(in: document).isEmpty)
        #expect(try DocumentPath("/order/id/deeper").values(in: document).isEmpty)
        #expect(try DocumentPath("/order/*").values(in: document).isEmpty)
        #expect(try DocumentPath("/items/9/sku").values(in: document).isEmpty)
    }

    @Test func escapedSegments() throws {
        let value: JSONValue = ["a/b": ["~c": 1]]
        let path = try DocumentPath("/a~1b/~0c")
        #expect(path.values(in: value) == [1])
        #expect(DocumentPath(segments: path.segments).text == "/a~1b/~0c")
    }

    @Test(arguments: ["", "order/id", "/order//id", "/order/", "/a~2b"])
    func invalidPathsAreRejected(_ text: String) {
        #expect(throws: PathError.self) { _ = try DocumentPath(text) }
    }

    @Test func pathErrorDescription() {
        #expect(throws: PathError(text: "order/id", message: "a path starts with '/'")) { _ = try DocumentPath("order/id") }
        #expect(PathError(text: "x", message: "m").description == "invalid path 'x': m")
    }

    @Test func writingCreatesObjectsAndArraysAndPadsElements() throws {
        var output: JSONValue = .object(JSONObject())
        try DocumentPath("/a/b").write("v", into: &output)
        try DocumentPath("/list/*/k").write(1, into: &output, indices: [2])
        try DocumentPath("/list/*/k").write(0, into: &output, indices: [0])
        #expect(output.jsonString == #"{"a":{"b":"v"},"list":[{"k":0},{},{"k":1}]}"#)
        try DocumentPath("/list/*/d").write("x", into: &output, onlyIfEmpty: true)
        try DocumentPath("/a/b").write("w", into: &output, onlyIfEmpty: true)
        #expect(output.jsonString == #"{"a":{"b":"v"},"list":[{"k":0,"d":"x"},{"d":"x"},{"k":1,"d":"x"}]}"#)
    }
}
