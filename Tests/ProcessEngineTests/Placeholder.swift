import Testing

@Test func placeholder_ProcessEngineTests() { #expect(Bool(true)) }
