import Foundation
import LoanDomain
import LoanStore

/// The demo's printout: one line per loan, then a schedule summary per approved loan.
struct Report {
    private var lines: [String] = []
    private var schedules: [String] = []
    private(set) var allCorrect = true
    private var counts: [LoanStatus: Int] = [:]

    mutating func add(name: String, loan: LoanDocument?, request: LoanRequest) {
        guard let loan else {
            allCorrect = false
            lines.append("  \(name.padding(toLength: 32, withPad: " ", startingAt: 0)) MISSING")
            return
        }
        counts[loan.status, default: 0] += 1
        let expected = LoanDecision.evaluate(request)
        let correct = loan.status == (expected.approved ? .approved : .denied) && loan.decision == expected
        if !correct { allCorrect = false }
        let label = "\(name) [\(loan.id.suffix(6))]".padding(toLength: 40, withPad: " ", startingAt: 0)
        let status = loan.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
        var line = "  \(label) \(status)"
        if let decision = loan.decision, decision.approved, let rate = decision.annualRate, let payment = decision.monthlyPayment {
            line += String(format: " %.2f %% over %d months, %@/month, cost of credit %@", rate * 100, request.loan.termMonths,
                           payment.description, (decision.totalCostOfCredit ?? .zero).description)
            if let schedule = decision.schedule, let first = schedule.first, let last = schedule.last {
                schedules.append("  \(loan.id.suffix(6)): month 1 interest \(first.interest), principal \(first.principal); "
                                 + "month \(last.month) payment \(last.payment), balance \(last.remainingBalance); "
                                 + "principal repaid \(schedule.reduce(Money.zero) { $0 + $1.principal }) of \(request.loan.amount)")
            }
        } else if loan.status == .cancelled {
            line += " \(loan.error ?? "cancelled")"
        } else {
            line += " " + loan.reasons.joined(separator: "; ")
        }
        if !correct { line += "  <-- differs from the domain rules or not finished" }
        lines.append(line)
    }

    func render(elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let summary = LoanStatus.allCases.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }.joined(separator: ", ")
        var text = "Loans evaluated (\(lines.count) in \(String(format: "%.2f", seconds)) s: \(summary)):\n" + lines.joined(separator: "\n")
        if !schedules.isEmpty { text += "\n\nRepayment schedules (first and last month):\n" + schedules.joined(separator: "\n") }
        text += allCorrect ? "\n\nEvery outcome matches the domain rules." : "\n\nSOME LOANS ARE WRONG OR UNFINISHED."
        return text
    }
}
