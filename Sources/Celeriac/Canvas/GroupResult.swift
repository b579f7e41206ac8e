/// The results of a group (Celery's `GroupResult`): one ``AsyncResult`` per task, in order.
public struct GroupResult: Sendable {
    public let id: String
    public let results: [AsyncResult<JSONValue>]

    public init(id: String, results: [AsyncResult<JSONValue>]) {
        self.id = id
        self.results = results
    }

    /// The state of every part, in order.
    public func states() async throws -> [TaskState] {
        var states: [TaskState] = []
        for result in results { states.append(try await result.state()) }
        return states
    }

    /// Parts finished so far.
    public func completedCount() async throws -> Int {
        try await states().filter { $0 == .success }.count
    }

    /// Waits for every part and returns their values in order; throws the first failure.
    public func get(timeout: Duration = .seconds(60)) async throws -> [JSONValue] {
        var values: [JSONValue] = []
        for result in results { values.append(try await result.get(timeout: timeout)) }
        return values
    }

    /// `GroupResult.as_tuple()`: `[[gid, null], [[[id, null], null], ...]]`, as stored in
    /// `celery-taskset-meta-<gid>`.
    public var tuple: JSONValue {
        .array([.array([.string(id), .null]), .array(results.map { .array([.array([.string($0.id), .null]), .null]) })])
    }
}
