import Celeriac
import Foundation
import LoanDomain
import LoanStore
import LoanTasks
import Mongo

/// Loans end to end: submit N sample loans (stored in MongoDB, chord published), time until
/// every decision is stored, and check each outcome against the domain rules.
struct LoanBench {
    let bench: EndToEndBench
    let pipeline: LoanPipeline

    func loans(_ count: Int) async throws {
        let requests = SampleRequests.mixed(count)
        let pipeline = self.pipeline
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: [(loanID: String, milliseconds: Double)].self) { group in
            for lane in 0..<16 {
                group.addTask {
                    var waits: [(String, ContinuousClock.Instant, AsyncResult<JSONValue>)] = []
                    for index in stride(from: lane, to: count, by: 16) {
                        let sent = ContinuousClock.now
                        let (loan, evaluation) = try await pipeline.submit(requests[index], owner: "bench")
                        waits.append((loan.id, sent, evaluation))
                    }
                    var done: [(loanID: String, milliseconds: Double)] = []
                    for (id, sent, evaluation) in waits {
                        _ = try await evaluation.get(timeout: .seconds(300))
                        done.append((id, (ContinuousClock.now - sent).seconds * 1000))
                    }
                    return done
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let seconds = (ContinuousClock.now - start).seconds
        var wrong = 0
        for (id, _) in results {
            guard let loan = try await pipeline.store.loan(id) else { wrong += 1; continue }
            let expected = LoanDecision.evaluate(loan.request)
            if loan.status != (expected.approved ? .approved : .denied) || loan.decision != expected { wrong += 1 }
        }
        let latencies = results.map(\.milliseconds).sorted()
        bench.report(["benchmark": "loans", "count": .int(Int64(count)), "seconds": .double(seconds),
                      "loans_per_second": .double(Double(count) / seconds),
                      "latency_p50_ms": .double(bench.percentile(latencies, 0.5)),
                      "latency_p99_ms": .double(bench.percentile(latencies, 0.99)),
                      "wrong_outcomes": .int(Int64(wrong))])
    }
}
