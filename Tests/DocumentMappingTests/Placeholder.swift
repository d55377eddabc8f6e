import Testing

@Test func placeholder_DocumentMappingTests() { #expect(Bool(true)) }
