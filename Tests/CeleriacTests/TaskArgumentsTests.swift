import Celeriac
import DemoTasks
import Testing

@Suite struct TaskArgumentsTests {
    typealias Add = DemoTasks.AddArguments

    @Test func positionalArgumentsMapToFields() throws {
        #expect(try Add(args: [2, 3], kwargs: [:]) == Add(x: 2, y: 3))
        #expect(try Add(args: [2], kwargs: ["y": 3]) == Add(x: 2, y: 3))
        #expect(try Add(args: [], kwargs: ["x": 2, "y": 3]) == Add(x: 2, y: 3))
        let (args, kwargs) = try Add(x: 2, y: 3).celeryArguments()
        #expect(args == [2, 3])
        #expect(kwargs.isEmpty)
    }

    @Test func badArgumentsAreTypeErrorsWithClearMessages() {
        #expect { try Add(args: [1, 2, 3], kwargs: [:]) } throws: { ($0 as? TaskArgumentError)?.message.contains("positional") == true }
        #expect { try Add(args: [1], kwargs: [:]) } throws: { ($0 as? TaskArgumentError)?.message.contains("'y'") == true }
        #expect { try Add(args: ["one", 2], kwargs: [:]) } throws: { ($0 as? TaskArgumentError)?.message.contains("x") == true }
        #expect { try Add(args: [1, 2], kwargs: ["x": 5]) } throws: { ($0 as? TaskArgumentError)?.message.contains("multiple") == true }
        #expect(ExceptionInfo(error: TaskArgumentError("boom")).type == "TypeError")
    }

    @Test func registryRunsTypedTasks() async throws {
        var registry = TaskRegistry()
        DemoTasks.register(in: &registry)
        #expect(registry.names == ["demo.add", "demo.echo", "demo.fail", "demo.sleep", "demo.sum"])
        #expect(registry.queues == ["demo"])
        let message = TaskMessage(id: "t1", task: "demo.add", args: [2, 3])
        let context = TaskContext(message: message, hostname: "test@host", logger: .init(label: "test"))
        #expect(try await registry["demo.add"]?.invoke(message, context) == 5)
        let failing = TaskMessage(id: "t2", task: "demo.fail", args: ["bureau timeout"])
        await #expect { try await registry["demo.fail"]?.invoke(failing, context) } throws: { error in
            let info = ExceptionInfo(error: error)
            return info.type == "ValueError" && info.message == "bureau timeout" && info.module == "builtins"
        }
    }

    @Test func retryPolicyBacksOffExponentiallyWithinBounds() {
        let policy = RetryPolicy(maxRetries: 5, initialDelay: 1, maximumDelay: 10, jitter: false)
        #expect(policy.delay(afterRetries: 0) == 1)
        #expect(policy.delay(afterRetries: 2) == 4)
        #expect(policy.delay(afterRetries: 9) == 10)
        let jittered = RetryPolicy(maxRetries: 5, initialDelay: 1, maximumDelay: 10)
        for retries in 0..<10 { #expect((0...10).contains(jittered.delay(afterRetries: retries))) }
    }
}
