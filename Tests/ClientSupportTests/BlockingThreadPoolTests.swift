import ClientSupport
import Testing

@Suite struct BlockingThreadPoolTests {
    @Test func blockingPoolRunsConcurrently() async throws {
        let pool = BlockingThreadPool(name: "test-pool", threads: 4)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 1...50 { group.addTask { try await pool.run { i } } }
            return try await group.reduce(0, +)
        }
        #expect(total == 1275)
        pool.shutdown()
    }
}
