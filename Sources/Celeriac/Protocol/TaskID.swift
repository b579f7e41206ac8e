#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TaskMessage {
    /// A new task id: a random (version 4) UUID in lowercase, as Celery's `uuid()` makes them.
    ///
    /// Foundation's `UUID()` opens, reads and closes `/dev/urandom` on every call on Linux (three
    /// system calls per task sent); `arc4random_buf` (glibc ≥ 2.36, Darwin) is a user-space
    /// ChaCha20 generator seeded from the kernel, just as unpredictable.
    public static func newID() -> String {
        var bytes: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &bytes) { arc4random_buf($0.baseAddress!, 16) }
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
            return String(unsafeUninitializedCapacity: 36) { text in
                let hex: StaticString = "0123456789abcdef"
                var out = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    hex.withUTF8Buffer { digits in
                        text[out] = digits[Int(raw[index] >> 4)]
                        text[out + 1] = digits[Int(raw[index] & 0x0F)]
                    }
                    out += 2
                }
                return out
            }
        }
    }
}
