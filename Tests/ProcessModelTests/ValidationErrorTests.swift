import Testing
@testable import ProcessModel

@Suite struct ValidationErrorTests {
    @Test func malformedXMLReportsFileLineAndColumn() {
        let found = diagnostics(of: fixture("malformed"))
        #expect(found.count >= 1)
        let first = found.first
        #expect(first?.location.file == "processes/broken.xml")
        #expect(first?.location.line == 4)
        #expect((first?.location.column ?? 0) > 1)
        #expect(first?.message.contains("Opening and ending tag mismatch: shapes line 2 and shape") == true)
        #expect(first?.description.hasPrefix("processes/broken.xml:4:") == true)
    }

    @Test func misspeltSettingIsAnUnknownElement() {
        let found = diagnostics(of: fixture("misspelt-setting"))
        #expect(found.count == 1)
        #expect(found.first?.location == SourceLocation(file: "connectors/bq.xml", line: 3, column: 3))
        #expect(found.first?.message == "unknown element <rootURL>; did you mean <rootUrl>?")
    }

    @Test func missingReferences() {
        #expect(lines(diagnostics(of: fixture("missing-reference"))) == [
            "processes/p.xml:4:5: error: shape 'load' refers to missing connection 'nowhere'",
            "processes/p.xml:4:5: error: shape 'load' refers to missing operation 'nothing'",
            "profiles/m.xml:1:1: error: map 'm' refers to missing profile 'order' (from)",
            "profiles/m.xml:1:1: error: map 'm' refers to missing profile 'ghost' (to)",
        ])
    }

    @Test func duplicateIDMentionsTheFirstDefinition() {
        #expect(lines(diagnostics(of: fixture("duplicate-id"))) == [
            "processes/a.xml:1:1: error: duplicate id 'same'; first defined at connectors/same.xml:1:1",
        ])
    }

    @Test func danglingNext() {
        #expect(lines(diagnostics(of: fixture("dangling-next"))) == [
            "processes/dangling.xml:3:5: error: exit 'finish' of shape 'start' points to no shape",
            "processes/dangling.xml:4:5: error: shape 'finish-line' is unreachable from the start shape",
        ])
    }

    @Test func unreachableShape() {
        #expect(lines(diagnostics(of: fixture("unreachable"))) == [
            "processes/lonely.xml:4:5: error: shape 'orphan' is unreachable from the start shape",
        ])
    }

    @Test func cycleWithoutFlowControl() {
        #expect(lines(diagnostics(of: fixture("cycle"))) == [
            "processes/loop.xml:4:5: error: shapes a → b → a form a cycle without a flowControl shape",
        ])
    }

    @Test func unknownRootElement() {
        #expect(lines(diagnostics(of: fixture("unknown-root"))) == [
            "profiles/odd.xml:2:1: error: unknown root element <schema>; expected one of: <process>, <connection>,"
                + " <operation>, <profile>, <map>, <trackedFields>",
        ])
    }

    @Test func severalErrorsAreAllReportedInOrder() {
        let found = lines(diagnostics(of: fixture("several-errors")))
        #expect(found.count == 5)
        #expect(found.first == "connectors/disk.xml:2:3: error: unknown element <directry>; did you mean <directory>?")
        #expect(found[1] == "processes/broken.xml:3:11: error: Opening and ending tag mismatch: shapes line 2 and process")
        #expect(Array(found.suffix(3)) == [
            "processes/flow.xml:4:5: error: shape 'convert' refers to missing map 'no-such-map'",
            "processes/flow.xml:4:5: error: exit 'finish' of shape 'convert' points to no shape",
            "processes/flow.xml:5:5: error: shape 'end' is unreachable from the start shape",
        ])
    }
}
