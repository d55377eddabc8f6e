import Testing

@Test func placeholder_HTTPTransportTests() { #expect(Bool(true)) }
