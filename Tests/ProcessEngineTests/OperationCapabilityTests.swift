import DocumentMapping
import ProcessEngine
import Testing

/// The engine asks an operation what it can do through `asOverlapping`, `asMapFusing` and
/// `asInPlace` (no dynamic casts): each protocol's extension must answer for its conforming types.
@Suite struct OperationCapabilityTests {
    struct Plain: ConnectorOperation {}

    struct Overlapping: OverlappingConnectorOperation {
        func begin(_ documents: [Document], context: OperationContext) async -> Task<OperationOutcome, any Error> {
            Task { OperationOutcome(outputs: documents) }
        }
    }

    struct Fusing: MapFusingOperation {
        func begin(_ documents: [Document], context: OperationContext) async -> Task<OperationOutcome, any Error> {
            Task { OperationOutcome(outputs: documents) }
        }
        func fuses(_ renames: FlatRenames) -> Bool { true }
    }

    struct InPlace: InPlaceConnectorOperation {
        func executeInPlace(_ documents: inout [Document], context: OperationContext) async throws -> OperationOutcome {
            OperationOutcome(outputs: [])
        }
    }

    @Test("each operation answers for exactly the protocols it conforms to")
    func answers() {
        let operations: [any ConnectorOperation] = [Plain(), Overlapping(), Fusing(), InPlace()]
        for operation in operations {
            #expect((operation.asOverlapping != nil) == (operation is any OverlappingConnectorOperation))
            #expect((operation.asMapFusing != nil) == (operation is any MapFusingOperation))
            #expect((operation.asInPlace != nil) == (operation is any InPlaceConnectorOperation))
        }
        #expect(Plain().asOverlapping == nil && Plain().asMapFusing == nil && Plain().asInPlace == nil)
        #expect(Fusing().asOverlapping != nil && Fusing().asMapFusing != nil && Fusing().asInPlace == nil)
        #expect(InPlace().asInPlace != nil && InPlace().asOverlapping == nil)
    }
}
