import Testing
@testable import ProcessEngine

/// Numbered properties kept as numbers, and property assignment shared across documents.
struct DocumentPropertyTests {
    private let file = ["disk.fileName": "orders.ndjson", "disk.directory": "/data"]

    @Test func numberedPropertyReadsLikeAStoredOne() {
        let document = Document(data: [], properties: file, numbered: NumberedPropertyName("disk.line"), number: 42)
        #expect(document.property("disk.line") == "42")
        #expect(document.property("disk.fileName") == "orders.ndjson")
        #expect(document.property("missing") == nil)
        #expect(document.properties == file.merging(["disk.line": "42"]) { $1 })
    }

    /// Documents hold their numbered name without reference counting: a name outlives every
    /// reference but the documents', and names made one after another are told apart.
    @Test func numberedNamesOutliveTheirMakers() {
        weak var dropped: NumberedPropertyName?
        var documents: [Document] = []
        for round in 0..<50 {
            let name = NumberedPropertyName("line.\(round)")
            if round == 0 { dropped = name }
            documents.append(Document(data: [], properties: file, numbered: name, number: round))
        }
        // Objects of the same size made now would reuse a freed name's memory.
        let churn = (0..<1_000).map { NumberedPropertyName("churn.\($0)") }
        #expect(dropped?.name == "line.0")
        var lookup = PropertyLookup("line.7")
        #expect(documents.indices.filter { lookup.isSet(in: documents, at: $0) } == [7])
        for (round, document) in documents.enumerated() {
            #expect(document.property("line.\(round)") == "\(round)")
            #expect(document.properties["line.\(round)"] == "\(round)")
        }
        Document.setProperties(["line.3"], to: ["x"], on: &documents, in: documents.indices)
        #expect(documents[3].property("line.3") == "x" && documents[4].property("line.4") == "4")
        #expect(churn.count == 1_000)
    }

    @Test func modifyingPropertiesKeepsTheNumberedOne() {
        var document = Document(data: [], properties: file, numbered: NumberedPropertyName("disk.line"), number: 7)
        document.properties["extra"] = "x"
        #expect(document.properties["disk.line"] == "7")
        #expect(document.properties["extra"] == "x")
        document.properties["disk.line"] = "8"
        #expect(document.property("disk.line") == "8")
        document.properties = ["only": "1"]
        #expect(document.properties == ["only": "1"])
        #expect(document.property("disk.line") == nil)
    }

    @Test func setPropertySharesOneResultAndMatchesSubscriptAssignment() {
        var cache = PropertyAssignmentCache()
        var documents = (1...3).map { Document(data: [], properties: file, numbered: NumberedPropertyName("disk.line"), number: $0) }
        documents.append(Document(data: [], properties: ["other": "y"]))
        for position in documents.indices {
            documents[position].setProperty("disk.fileName", to: "out/a.ndjson", sharing: &cache)
        }
        #expect(documents.map { $0.property("disk.fileName") } == Array(repeating: "out/a.ndjson", count: 4))
        #expect(documents.map { $0.property("disk.line") } == ["1", "2", "3", nil])
        #expect(documents[3].properties == ["other": "y", "disk.fileName": "out/a.ndjson"])
        #expect(documents[0].properties["disk.directory"] == "/data")
        // A different value for the same input properties is not taken from the cache.
        var another = Document(data: [], properties: file)
        another.setProperty("disk.fileName", to: "out/b.ndjson", sharing: &cache)
        #expect(another.property("disk.fileName") == "out/b.ndjson")
    }

    /// Several properties set at once give what one assignment after another gives, for documents
    /// sharing a dictionary or not, with inline properties of the same names or others, and the
    /// cache is never taken for different values, names or input properties.
    @Test func setPropertiesEqualsOneAssignmentAfterAnother() {
        let names = ["bigquery.projectId", "disk.line", "bigquery.tableId"]
        let line = NumberedPropertyName("disk.line")
        let insertID = PrefixedPropertyName("bigquery.tableId", prefix: "t-")
        var inputs = (1...3).map { Document(data: [], properties: file, numbered: line, number: $0) }
        inputs.append(Document(data: [], properties: ["other": "y"]))
        inputs.append(Document(data: [], properties: file))
        var prefixed = Document(data: [], properties: file, numbered: NumberedPropertyName("disk.row"), number: 9)
        prefixed.setProperty(insertID, number: 5)
        inputs.append(prefixed)
        inputs.append(Document(data: [], properties: file, numbered: line, number: 4))
        for values in [["p", "l", "t"], ["p", "l", "t"], ["p2", "l", "t"], ["p", "l", "t"]] {
            for input in inputs {
                var one = [input]
                Document.setProperties(names, to: values, on: &one, at: [0])
                let together = one[0]
                var oneByOne = input
                for (name, value) in zip(names, values) { oneByOne.properties[name] = value }
                #expect(together.properties == oneByOne.properties, "\(input.properties) \(values)")
                #expect(together.property("disk.line") == values[1])
                #expect(together.property("disk.row") == oneByOne.property("disk.row"))
                #expect(together.property("other") == oneByOne.property("other"))
            }
        }
        // Other names with the same values: not the cached result.
        var others = [inputs[0]]
        Document.setProperties(["a", "b", "c"], to: ["p", "l", "t"], on: &others, at: [0])
        let other = others[0]
        #expect(other.properties["a"] == "p" && other.properties["bigquery.projectId"] == nil)
        #expect(other.property("disk.line") == "1")
    }

    /// The one-pass form over an array: the documents at the positions get what one assignment
    /// after another gives, and the others are left as they were.
    @Test func setPropertiesOnPositionsEqualsOneAssignmentAfterAnother() {
        let names = ["bigquery.projectId", "disk.line", "bigquery.tableId"]
        let line = NumberedPropertyName("disk.line")
        let otherLine = NumberedPropertyName("disk.line")
        let row = NumberedPropertyName("disk.row")
        let insertID = PrefixedPropertyName("bigquery.tableId", prefix: "t-")
        let kept = PrefixedPropertyName("bigquery.insertId", prefix: "i-")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            // Runs of documents sharing a dictionary and a numbered name, and documents of their own.
            var inputs: [Document] = []
            for _ in 0..<Int.random(in: 1...12, using: &generator) {
                let properties = Bool.random(using: &generator) ? file : ["other": "\(Int.random(in: 0...2, using: &generator))"]
                let numbered = [line, otherLine, row].randomElement(using: &generator) ?? line
                var document = Int.random(in: 0..<4, using: &generator) == 0
                    ? Document(data: [], properties: properties)
                    : Document(data: [], properties: properties, numbered: numbered, number: Int.random(in: 1...9, using: &generator))
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: document.setProperty(insertID, number: 5)
                case 1: document.setProperty(kept, number: 6)
                default: break
                }
                inputs.append(document)
            }
            let values = Bool.random(using: &generator) ? ["p", "l", "t"] : ["p2", "l2"]
            let positions = inputs.indices.filter { _ in Int.random(in: 0..<4, using: &generator) != 0 }
            var together = inputs
            Document.setProperties(names, to: values, on: &together, at: positions)
            for index in inputs.indices {
                var oneByOne = inputs[index]
                if positions.contains(index) {
                    for (name, value) in zip(names, values) { oneByOne.properties[name] = value }
                }
                #expect(together[index].properties == oneByOne.properties, "\(index): \(inputs[index].properties) \(values)")
                for name in names + ["disk.row", "bigquery.insertId", "other"] {
                    #expect(together[index].property(name) == oneByOne.property(name), "\(name)")
                }
            }
        }
    }

    @Test func setPropertyReplacesANumberedPropertyOfTheSameName() {
        var cache = PropertyAssignmentCache()
        var document = Document(data: [], properties: file, numbered: NumberedPropertyName("disk.line"), number: 3)
        document.setProperty("disk.line", to: "first", sharing: &cache)
        #expect(document.property("disk.line") == "first")
        #expect(document.properties["disk.line"] == "first")
    }

    @Test func prefixedPropertyReadsLikeAStoredOneAndGivesWayToLaterAssignments() {
        let name = PrefixedPropertyName("bigquery.insertId", prefix: "run \"1\"-")
        var document = Document(data: [], properties: file.merging(["bigquery.insertId": "stale"]) { $1 },
                                numbered: NumberedPropertyName("disk.line"), number: 4)
        document.setProperty(name, number: -12)
        #expect(document.property("bigquery.insertId") == "run \"1\"--12")
        #expect(document.properties == file.merging(["disk.line": "4", "bigquery.insertId": "run \"1\"--12"]) { $1 })
        var lookup = PropertyLookup("bigquery.insertId")
        let found = lookup.isSet(in: [document], at: 0)
        #expect(found)
        // A dictionary assignment of the same name wins, through either way of setting it.
        var assigned = document
        assigned.properties["bigquery.insertId"] = "new"
        #expect(assigned.property("bigquery.insertId") == "new")
        #expect(assigned.properties["disk.line"] == "4")
        var cache = PropertyAssignmentCache()
        var shared = document
        shared.setProperty("bigquery.insertId", to: "cached", sharing: &cache)
        #expect(shared.property("bigquery.insertId") == "cached")
        #expect(shared.properties["bigquery.insertId"] == "cached")
        // A second prefixed property moves the first into the dictionary; the same name replaces it.
        var twice = document
        twice.setProperty(PrefixedPropertyName("other", prefix: "o"), number: 1)
        #expect(twice.properties["bigquery.insertId"] == "run \"1\"--12")
        #expect(twice.property("other") == "o1")
        twice.setProperty(PrefixedPropertyName("other", prefix: "p"), number: 2)
        #expect(twice.property("other") == "p2")
        #expect(twice.properties["other"] == "p2")
        // Replacing the dictionary drops it.
        document.properties = ["only": "1"]
        #expect(document.property("bigquery.insertId") == nil)
        // A numbered property of the same name is replaced.
        var numbered = Document(data: [], properties: [:], numbered: NumberedPropertyName("bigquery.insertId"), number: 9)
        numbered.setProperty(name, number: 3)
        #expect(numbered.properties == ["bigquery.insertId": "run \"1\"-3"])
    }

    /// A cache or lookup kept over many documents remembers how their inline names compared; the
    /// answers must be those of a new cache for each document, whatever the order of names, and
    /// names equal only by canonical equivalence ("Key" with KELVIN SIGN) count as the same name.
    @Test func rememberedInlineNameComparisonsAnswerAsFreshOnes() {
        let kelvin = "\u{212A}ey"
        let prefixedNames = [PrefixedPropertyName("Key", prefix: "a-"), PrefixedPropertyName(kelvin, prefix: "b-"),
                             PrefixedPropertyName("bigquery.insertId", prefix: "c-")]
        let numberedNames = ["disk.line", "Key", kelvin, "bigquery.insertId", "disk.row"].map(NumberedPropertyName.init)
        let assigned = ["Key", kelvin, "bigquery.insertId", "disk.line", "other"]
        var generator = SystemRandomNumberGenerator()
        var documents: [Document] = []
        for index in 0..<600 {
            var document = Document(data: [], properties: index % 3 == 0 ? file : ["Key": "stored"],
                                    numbered: numberedNames.randomElement(using: &generator) ?? NumberedPropertyName("disk.line"),
                                    number: index)
            if Bool.random(using: &generator), let name = prefixedNames.randomElement(using: &generator) {
                document.setProperty(name, number: index)
            }
            document.index = index
            documents.append(document)
        }
        // Runs of one inline name, as chunks have, and changes between runs.
        documents.sort {
            ($0.numberedProperty?.name.name ?? "", $0.index % 7) < ($1.numberedProperty?.name.name ?? "", $1.index % 7)
        }
        for name in assigned {
            var kept = PropertyAssignmentCache()
            var lookup = PropertyLookup(name)
            for (position, document) in documents.enumerated() {
                var fresh = PropertyAssignmentCache()
                var expected = document
                expected.setProperty(name, to: "v", sharing: &fresh)
                var actual = document
                actual.setProperty(name, to: "v", sharing: &kept)
                #expect(actual.properties == expected.properties, "\(name) at \(position)")
                #expect(actual.property(name) == "v")
                var freshLookup = PropertyLookup(name)
                #expect(lookup.isSet(in: documents, at: position) == freshLookup.isSet(in: documents, at: position),
                        "\(name) at \(position)")
            }
        }
    }

    /// The inline numbers share one word with each other and with the known-object flag; numbers
    /// outside their bits go into the dictionary. Every value reads back as it was set, and setting
    /// one never changes the other or the flag.
    @Test func inlineNumbersAtTheEdgesOfTheirBitsReadBackExactly() {
        let line = NumberedPropertyName("disk.line")
        let id = PrefixedPropertyName("bigquery.insertId", prefix: "x-")
        let numbers = [0, 1, 0x7FFF_FFFE, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, -1, Int.min, Int.max]
        for numbered in numbers {
            for prefixed in numbers {
                for known in [false, true] {
                    var document = Document(data: [], properties: file, numbered: line, number: numbered)
                    document.isKnownJSONObject = known
                    document.setProperty(id, number: prefixed)
                    #expect(document.property("disk.line") == String(numbered), "\(numbered) \(prefixed)")
                    #expect(document.property("bigquery.insertId") == "x-\(prefixed)", "\(numbered) \(prefixed)")
                    #expect(document.isKnownJSONObject == known)
                    #expect(document.properties == file.merging(["disk.line": String(numbered),
                                                                 "bigquery.insertId": "x-\(prefixed)"]) { $1 })
                    // Out-of-range numbers are in the dictionary, the others inline.
                    #expect((document.numberedProperty != nil) == (0...0xFFFF_FFFF).contains(numbered))
                    #expect((document.prefixedProperty != nil) == (0...0x7FFF_FFFF).contains(prefixed))
                    document.isKnownJSONObject = !known
                    #expect(document.property("disk.line") == String(numbered))
                    #expect(document.property("bigquery.insertId") == "x-\(prefixed)")
                }
            }
        }
    }

    /// A document is at most seven machine words: the compiler copies larger structs whenever one
    /// is initialized or moved (a retain and a release of each field), once per document per shape.
    @Test func aDocumentIsSevenWords() {
        #expect(MemoryLayout<Document>.size <= 7 * MemoryLayout<Int>.size)
    }

    @Test func anyChangeToTheContentForgetsThatItIsAKnownObject() {
        var document = Document(data: Array(#"{"a":1}"#.utf8))
        #expect(!document.isKnownJSONObject)
        document.isKnownJSONObject = true
        let copy = document
        document.data.append(UInt8(ascii: "x"))
        #expect(!document.isKnownJSONObject)
        #expect(copy.isKnownJSONObject)
        var replaced = copy
        replaced.replace(with: Array("[1]".utf8))
        #expect(!replaced.isKnownJSONObject)
        var transformed = copy
        _ = transformed.transformData { $0 = Array("null".utf8); return true }
        #expect(!transformed.isKnownJSONObject)
        var assigned = copy
        assigned.data = []
        #expect(!assigned.isKnownJSONObject)
    }

    @Test func transformingDataDropsTheParsedForm() throws {
        var document = Document(data: Array(#"{"a":1}"#.utf8))
        _ = try document.json()
        #expect(document.parsedJSON != nil)
        #expect(!document.transformData { _ in false })
        #expect(document.parsedJSON != nil)
        #expect(document.transformData { $0 = Array(#"{"b":2}"#.utf8); return true })
        #expect(document.parsedJSON == nil)
        #expect(try document.json().serialized() == Array(#"{"b":2}"#.utf8))
    }
}
