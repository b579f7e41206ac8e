/// The queues of the three loan pools. The prefix lets several deployments (or test runs)
/// share one broker without consuming each other's work; the default is `loan`.
public struct LoanQueues: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = "loan") { self.prefix = prefix }

    /// `<prefix>.credit`: the credit/profile check pool.
    public var credit: String { "\(prefix).credit" }
    /// `<prefix>.property`: the property check pool.
    public var property: String { "\(prefix).property" }
    /// `<prefix>.decision`: the decision pool (chord callbacks and failure handling).
    public var decision: String { "\(prefix).decision" }

    public var all: [String] { [credit, property, decision] }
}
