import Testing

@Test func placeholder_ProcessModelTests() { #expect(Bool(true)) }
