/// The tables of a ``FastMapPlan`` in memory of their own, so the scanner and writer read them
/// through plain pointers, without reference counting per document.
///
/// `@unchecked Sendable`: every buffer is filled in `init` and only read afterwards; `deinit` frees them.
final class FastPlanTables: @unchecked Sendable {
    let sourceNodes: UnsafeBufferPointer<FastSourceNode>
    let members: UnsafeBufferPointer<FastMember>
    let keyBytes: UnsafeBufferPointer<UInt8>
    let outNodes: UnsafeBufferPointer<FastOutFlat>
    let outRefs: UnsafeBufferPointer<Int32>
    let outMembers: UnsafeBufferPointer<FastOutMember>
    /// The target's keys, followed by ``FastOutput/shortRun`` zero bytes: a key's bytes may be
    /// read in one ``FastOutput/shortRun``-byte move.
    let outKeys: UnsafeBufferPointer<UInt8>
    let leafModes: UnsafeBufferPointer<FastLeafMode>
    let leaves: UnsafeBufferPointer<FastLeaf>
    let ruleSlots: UnsafeBufferPointer<Int>
    let slotCount: Int

    init(_ plan: FastMapPlan) {
        sourceNodes = Self.copy(plan.sourceNodes)
        members = Self.copy(plan.members)
        keyBytes = Self.copy(plan.keyBytes)
        outNodes = Self.copy(plan.outFlat)
        outRefs = Self.copy(plan.outRefs)
        outMembers = Self.copy(plan.outMembers)
        outKeys = Self.copy(plan.outKeys + repeatElement(0, count: FastOutput.shortRun))
        leafModes = Self.copy(plan.leaves.map(\.fast))
        leaves = Self.copy(plan.leaves)
        ruleSlots = Self.copy(plan.ruleSlots)
        slotCount = plan.slotCount
    }

    deinit {
        Self.free(sourceNodes)
        Self.free(members)
        Self.free(keyBytes)
        Self.free(outNodes)
        Self.free(outRefs)
        Self.free(outMembers)
        Self.free(outKeys)
        Self.free(leafModes)
        Self.free(leaves)
        Self.free(ruleSlots)
    }

    private static func copy<Element>(_ array: [Element]) -> UnsafeBufferPointer<Element> {
        let buffer = UnsafeMutablePointer<Element>.allocate(capacity: max(array.count, 1))
        buffer.initialize(from: array, count: array.count)
        return UnsafeBufferPointer(start: buffer, count: array.count)
    }

    private static func free<Element>(_ buffer: UnsafeBufferPointer<Element>) {
        guard let base = buffer.baseAddress else { return }
        let mutable = UnsafeMutablePointer(mutating: base)
        mutable.deinitialize(count: buffer.count)
        mutable.deallocate()
    }
}
