import Testing

@Test func placeholder_BigQueryTests() { #expect(Bool(true)) }
