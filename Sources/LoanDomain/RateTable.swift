/// The annual nominal rate offered, from the term and the credit score tier.
public enum RateTable {
    /// Base rate by term: ≤ 15 y 3.20 %, ≤ 20 y 3.45 %, ≤ 25 y 3.70 %, longer 3.95 %.
    public static func baseRate(termMonths: Int) -> Double {
        switch termMonths {
        case ...180: 0.0320
        case ...240: 0.0345
        case ...300: 0.0370
        default: 0.0395
        }
    }

    /// Adjustment by score: ≥ 780 −0.40, ≥ 720 −0.20, ≥ 660 0, ≥ 600 +0.30, lower +0.60 points.
    public static func scoreAdjustment(_ score: Int) -> Double {
        switch score {
        case 780...: -0.0040
        case 720...: -0.0020
        case 660...: 0
        case 600...: 0.0030
        default: 0.0060
        }
    }

    /// The rate, rounded to a hundredth of a percent.
    public static func rate(score: Int, termMonths: Int) -> Double {
        ((baseRate(termMonths: termMonths) + scoreAdjustment(score)) * 10_000).rounded() / 10_000
    }
}
