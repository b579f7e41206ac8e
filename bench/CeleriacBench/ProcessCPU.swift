import Glibc

/// CPU time (user + system) this process has used, for the producer's share in the
/// comparison's CPU accounting (the workers', broker's and Redis's shares are read from /proc
/// by scripts/bench-compare.sh).
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
