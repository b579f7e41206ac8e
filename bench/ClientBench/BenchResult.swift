import Foundation

/// One measured figure.
struct BenchResult {
    var name: String
    var operations: Int
    var seconds: Double
    var rate: Double { Double(operations) / seconds }

    static func table(_ results: [BenchResult]) -> String {
        var lines = ["benchmark                                   ops        seconds    ops/s"]
        for result in results {
            lines.append(result.name.padding(toLength: 42, withPad: " ", startingAt: 0)
                         + String(result.operations).leftPadded(9) + "  "
                         + String(format: "%9.3f", result.seconds) + "  " + String(format: "%9.0f", result.rate))
        }
        return lines.joined(separator: "\n")
    }
}

/// Times `body`, returning its duration in seconds.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
