import Testing

@Test func placeholder_GoogleAuthTests() { #expect(Bool(true)) }
