import Testing
import TestSupport

/// The RabbitMQ node scripts/stack.sh starts keeps process heaps up to 16 MB in multiblock
/// carriers of up to 32 MB (README, Benchmarks): with Erlang's defaults every heap over 512 KB
/// gets a memory mapping of its own, and a busy queue's garbage collections map and unmap them
/// (a seventh of the broker's CPU per message on the benchmark machine).
@Suite struct BrokerRuntimeTests {
    @Test func heapsUpTo16MBLiveInReusedCarriers() throws {
        let reply = try TestStack.rabbitmqEval("""
            [{instance, _, Info} | _] = erlang:system_info({allocator, eheap_alloc}),
            Options = proplists:get_value(options, Info),
            {proplists:get_value(sbct, Options), proplists:get_value(lmbcs, Options)}.
            """)
        #expect(reply == "{16777216,33554432}")
    }
}
