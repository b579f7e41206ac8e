import Foundation

/// The standard annuity (constant monthly payment) of a fixed-rate loan.
public enum Annuity {
    /// The monthly payment that repays `principal` over `months` at `annualRate` (0.035 = 3.5 %),
    /// rounded to the cent: `P·r / (1 − (1 + r)^−n)` with `r` the monthly rate; `P / n` at 0 %.
    public static func monthlyPayment(principal: Money, annualRate: Double, months: Int) -> Money {
        precondition(months > 0, "a loan needs at least one month")
        let p = Double(principal.cents)
        let r = annualRate / 12
        let cents = r == 0 ? p / Double(months) : p * r / (1 - pow(1 + r, -Double(months)))
        return Money(cents: Int64(cents.rounded()))
    }
}
