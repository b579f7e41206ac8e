public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ISO-8601 timestamps Celery puts in `eta`, `expires` and `date_done`,
/// e.g. `2026-11-22T14:47:55.782587+00:00`. Times without an offset are UTC, as in Celery.
public enum CeleryDate {
    /// Formats `date` in UTC with microseconds and a `+00:00` offset.
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 { seconds += 1; micros -= 1_000_000 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Every stored result has one: written digit by digit rather than by interpolation.
        let year = String(Int(parts.tm_year) + 1900)  // zero-padded to four digits below
        return String(unsafeUninitializedCapacity: 28 + max(4, year.utf8.count)) { out in
            var at = 0
            func put(_ value: Int, _ width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                var rest = value
                while divisor > 0 {
                    out[at] = UInt8(ascii: "0") + UInt8(rest / divisor)
                    rest %= divisor
                    divisor /= 10
                    at += 1
                }
            }
            func put(_ character: Unicode.Scalar) { out[at] = UInt8(ascii: character); at += 1 }
            for _ in year.utf8.count..<max(4, year.utf8.count) { put("0") }
            for byte in year.utf8 { out[at] = byte; at += 1 }
            put("-"); put(Int(parts.tm_mon) + 1, 2); put("-"); put(Int(parts.tm_mday), 2); put("T")
            put(Int(parts.tm_hour), 2); put(":"); put(Int(parts.tm_min), 2); put(":"); put(Int(parts.tm_sec), 2)
            put("."); put(micros, 6); put("+"); put(0, 2); put(":"); put(0, 2)
            return at
        }
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:MM]]`; returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else {
            return i == b.count ? makeDate(year, month, day, 0, 0, 0, 0, 0) : nil
        }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2), hour < 24, minute < 60 else { return nil }
        var second = 0
        var fraction = 0.0
        if expect(58) {
            guard let s = digits(2), s < 61 else { return nil }
            second = s
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                var scale = 0.1
                let start = i
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    fraction += Double(b[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        var offset = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if expect(58) { guard let m = digits(2) else { return nil }; om = m }
                else if i < b.count { guard let m = digits(2) else { return nil }; om = m }
                offset = sign * (oh * 3600 + om * 60)
            } else { return nil }
        }
        guard i == b.count else { return nil }
        return makeDate(year, month, day, hour, minute, second, fraction, offset)
    }

    private static func makeDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int,
                                 _ second: Int, _ fraction: Double, _ offset: Int) -> Date {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }
}
