import Testing

@Test func placeholder_ExecutionStoreTests() { #expect(Bool(true)) }
