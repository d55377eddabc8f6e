import ConveyorBase
import Testing

@Suite struct BraceTemplateTests {
    @Test func literalsAndPlaceholdersComeInOrder() throws {
        #expect(try BraceTemplate.tokens("out/{name}-{process:day}.json")
            == [.literal("out/"), .placeholder("name"), .literal("-"), .placeholder("process:day"), .literal(".json")])
        #expect(try BraceTemplate.tokens("{a}{b}") == [.placeholder("a"), .placeholder("b")])
        #expect(try BraceTemplate.tokens("") == [])
        #expect(try BraceTemplate.tokens("{}") == [.placeholder("")])
    }

    @Test func doubledBracesAreLiteralAndJoinTheSurroundingText() throws {
        #expect(try BraceTemplate.tokens("a{{b}}c") == [.literal("a{b}c")])
        #expect(try BraceTemplate.tokens("{{{x}}}") == [.literal("{"), .placeholder("x"), .literal("}")])
        #expect(try BraceTemplate.tokens("é{{}}") == [.literal("é{}")])
    }

    @Test func unbalancedBracesAreErrors() {
        #expect(throws: BraceTemplate.Failure.unclosedBrace) { try BraceTemplate.tokens("a{b") }
        #expect(throws: BraceTemplate.Failure.unopenedBrace) { try BraceTemplate.tokens("a}b") }
        #expect(throws: BraceTemplate.Failure.unopenedBrace) { try BraceTemplate.tokens("}") }
        #expect(throws: BraceTemplate.Failure.unclosedBrace) { try BraceTemplate.tokens("{x}{") }
    }

    /// A placeholder comes out before an error later in the text, so callers report problems
    /// in the order they appear.
    @Test func piecesBeforeAnErrorAreHandedOutFirst() throws {
        var template = BraceTemplate("ab{x}}")
        #expect(try template.next() == .literal("ab"))
        #expect(try template.next() == .placeholder("x"))
        #expect(throws: BraceTemplate.Failure.unopenedBrace) { try template.next() }
    }

    @Test func escapedTextReadsBackAsOneLiteral() throws {
        let text = "my{project}}{{"
        #expect(BraceTemplate.escaped(text) == "my{{project}}}}{{{{")
        #expect(try BraceTemplate.tokens(BraceTemplate.escaped(text)) == [.literal(text)])
        #expect(BraceTemplate.escaped("plain") == "plain")
    }
}
