@testable import ProcessEngine
import Testing
import TestSupport

/// The batch pipeline's decisions alone, without I/O: events in, actions out.
@Suite("batch pipeline state machine")
struct BatchPipelineTests {
    typealias Action = BatchPipeline.Action

    @Test("overlap: each batch starts before the one before it is awaited, which is then delivered")
    func overlapBeginsNextThenFinishesPrevious() {
        var pipeline = BatchPipeline.overlapping
        let first = pipeline.submit()
        #expect(first == .init(batch: 0, actions: [.start(0)]))
        #expect(pipeline.undelivered == 1)

        let second = pipeline.submit()
        #expect(second == .init(batch: 1, actions: [.start(1), .await(0)]))
        #expect(pipeline.finished(0) == [.deliver(0)])
        #expect(pipeline.undelivered == 1, "the reader goes on with one batch in flight")

        #expect(pipeline.submit().actions == [.start(2), .await(1)])
        #expect(pipeline.finished(1) == [.deliver(1)])
        #expect(pipeline.inputEnded() == [.await(2)])
        #expect(pipeline.finished(2) == [.deliver(2)])
        #expect(pipeline.isSettled)
        #expect(pipeline.delivered == 3)
    }

    @Test("overlap: the input ending with a batch in flight awaits and delivers it; with none, nothing happens")
    func inputEndWithBatchesInFlight() {
        var pipeline = BatchPipeline.overlapping
        #expect(pipeline.inputEnded().isEmpty, "nothing submitted, nothing to do")
        #expect(pipeline.isSettled)

        var reading = BatchPipeline.overlapping
        _ = reading.submit()
        #expect(!reading.isSettled)
        #expect(reading.inputEnded() == [.await(0)])
        #expect(reading.inputEnded().isEmpty, "an await is returned once")
        #expect(reading.finished(0) == [.deliver(0)])
        #expect(reading.isSettled)
    }

    @Test("overlap: a batch whose outcome failed (or was cancelled) is delivered like any other, and the pipeline goes on")
    func failedOutcomeInOverlapIsDelivered() {
        var pipeline = BatchPipeline.overlapping
        _ = pipeline.submit()
        #expect(pipeline.submit().actions == [.start(1), .await(0)])
        #expect(pipeline.finished(0, failed: true) == [.deliver(0)], "its documents are recorded as failures")
        #expect(pipeline.submit().actions == [.start(2), .await(1)], "overlap does not stop on a failed batch")
        #expect(!pipeline.stopped)
    }

    @Test("overlap: an error delivering batch N leaves batch N+1 in the pipeline, so ending the input still finishes it")
    func errorInBatchWithNextInFlight() {
        var pipeline = BatchPipeline.overlapping
        _ = pipeline.submit()
        #expect(pipeline.submit().actions == [.start(1), .await(0)])
        // Delivering batch 0 throws in the owner: batch 1 was begun and is still running.
        #expect(pipeline.finished(0) == [.deliver(0)])
        #expect(pipeline.running == 1)
        #expect(pipeline.inputEnded() == [.await(1)])
        #expect(pipeline.finished(1) == [.deliver(1)])
        #expect(pipeline.isSettled)
    }

    @Test("lanes: batches finishing out of order are delivered in batch order")
    func inOrderDeliveryOutOfOrderFinish() {
        var pipeline = BatchPipeline.lanes(threads: 3)
        var started: [Action] = []
        for _ in 0..<5 { started += pipeline.submit().actions }
        #expect(started == [.start(0), .start(1), .start(2)])
        #expect(pipeline.inputEnded().isEmpty, "lanes are awaited as they finish, not in order")
        #expect(pipeline.finished(2) == [.start(3)])
        #expect(pipeline.finished(1) == [.start(4)])
        #expect(pipeline.finished(0) == [.deliver(0), .deliver(1), .deliver(2)])
        #expect(pipeline.finished(4).isEmpty)
        #expect(pipeline.finished(3) == [.deliver(3), .deliver(4)])
        #expect(pipeline.isSettled)
    }

    @Test("lanes: a failed batch stops the batches not started; those running still finish and are delivered in order")
    func failureStopsNewStarts() {
        var pipeline = BatchPipeline.lanes(threads: 2)
        for _ in 0..<5 { _ = pipeline.submit() }
        #expect(pipeline.finished(1, failed: true).isEmpty, "batch 0 is still running, and nothing new starts")
        #expect(pipeline.stopped)
        #expect(!pipeline.isSettled)
        #expect(pipeline.finished(0) == [.deliver(0), .deliver(1)])
        #expect(pipeline.isSettled)
        #expect(pipeline.neverStarted == 2..<5)
    }

    @Test("an event for a batch that is not running changes nothing")
    func unknownBatchIsIgnored() {
        var pipeline = BatchPipeline.lanes(threads: 2)
        _ = pipeline.submit()
        let before = pipeline
        #expect(pipeline.finished(7).isEmpty)
        #expect(pipeline.finished(-1).isEmpty)
        #expect(pipeline == before)
        #expect(pipeline.finished(0) == [.deliver(0)])
        #expect(pipeline.finished(0).isEmpty, "a batch is delivered once")
    }

    @Test("never more than maxRunning batches run; every batch is started, awaited and delivered once, in order",
          arguments: [1, 2, 3, 8])
    func invariantsUnderRandomFinishOrder(_ threads: Int) {
        var generator = SeededGenerator(seed: UInt64(threads))
        for awaitsInOrder in [false, true] {
            var pipeline = awaitsInOrder ? BatchPipeline(maxRunning: threads, keepsRunning: threads - 1)
                : BatchPipeline.lanes(threads: threads)
            var running: Set<Int> = []
            var awaiting: [Int] = []
            var starts: [Int] = []
            var deliveries: [Int] = []
            func apply(_ actions: [Action]) {
                for action in actions {
                    switch action {
                    case .start(let batch):
                        starts.append(batch)
                        running.insert(batch)
                    case .await(let batch):
                        awaiting.append(batch)
                    case .deliver(let batch):
                        deliveries.append(batch)
                    }
                    #expect(running.count <= threads)
                }
            }
            let total = 40
            for _ in 0..<total {
                apply(pipeline.submit().actions)
                #expect(!awaitsInOrder || pipeline.started - pipeline.awaited <= threads - 1)
                // Finish some running batches, in any order (in order when the owner awaits).
                while !running.isEmpty, generator.next() % 3 != 0 {
                    let batch = awaitsInOrder ? awaiting.first : running.randomElement(using: &generator)
                    guard let batch else { break }
                    running.remove(batch)
                    if awaitsInOrder { awaiting.removeFirst() }
                    apply(pipeline.finished(batch))
                }
            }
            apply(pipeline.inputEnded())
            while let batch = awaitsInOrder ? awaiting.first : running.randomElement(using: &generator) {
                running.remove(batch)
                if awaitsInOrder { awaiting.removeFirst() }
                apply(pipeline.finished(batch))
            }
            #expect(starts == Array(0..<total))
            #expect(deliveries == Array(0..<total))
            #expect(pipeline.isSettled)
        }
    }
}
