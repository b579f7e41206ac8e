import ClientSupport
import Foundation
import Synchronization
import Testing

/// The hand-over between a consumer connection and a worker's tasks: nothing lost, nothing read
/// twice, values queued before the end still read, the end reported to every reader.
@Suite struct AsyncFIFOTests {
    struct Boom: Error, Equatable {}

    @Test func readsInOrderThenTheEnd() async throws {
        let fifo = AsyncFIFO<Int>()
        for i in 0..<3000 { fifo.yield(i) }
        fifo.finish()
        fifo.yield(-1)  // after the end: dropped
        var read: [Int] = []
        while let value = try await fifo.next() { read.append(value) }
        #expect(read == Array(0..<3000))
        #expect(try await fifo.next() == nil)
        #expect(fifo.count == 0)
    }

    @Test func reportsAnErrorOnceAfterTheQueuedValues() async throws {
        let fifo = AsyncFIFO<Int>()
        fifo.yield(1)
        fifo.finish(throwing: Boom())
        fifo.finish()  // only the first end counts
        #expect(try await fifo.next() == 1)
        await #expect(throws: Boom.self) { try await fifo.next() }
        #expect(try await fifo.next() == nil)
    }

    @Test func aWaitingReaderGetsTheErrorEnd() async throws {
        let fifo = AsyncFIFO<Int>()
        let reader = Task { try await fifo.next() }
        try await Task.sleep(for: .milliseconds(50))
        fifo.finish(throwing: Boom())
        await #expect(throws: Boom.self) { try await reader.value }
    }

    @Test func concurrentReadersEachGetDistinctValues() async throws {
        let fifo = AsyncFIFO<Int>()
        let total = 20_000
        let seen = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    while let value = try await fifo.next() {
                        mine.append(value)
                        if value % 7 == 0 { await Task.yield() }
                    }
                    return mine
                }
            }
            // Written from another thread while the readers drain and wait.
            let writer = Thread {
                for i in 0..<total {
                    fifo.yield(i)
                    if i % 1000 == 0 { usleep(1000) }
                }
                fifo.finish()
            }
            writer.start()
            var all: [Int] = []
            for try await part in group {
                #expect(part == part.sorted(), "one reader reads in queue order")
                all += part
            }
            return all
        }
        #expect(seen.sorted() == Array(0..<total))
    }

    @Test func cancellingAWaitingReaderEndsTheQueue() async throws {
        let fifo = AsyncFIFO<Int>()
        let reader = Task { try await fifo.next() }
        let other = Task { try await fifo.next() }
        try await Task.sleep(for: .milliseconds(50))
        reader.cancel()
        #expect(try await reader.value == nil)
        #expect(try await other.value == nil)
        fifo.yield(1)
        #expect(try await fifo.next() == nil)
    }
}
