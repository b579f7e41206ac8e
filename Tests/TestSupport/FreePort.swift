#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TestEnvironment {
    /// A TCP port on 127.0.0.1 that nothing listens on now, for a child process to listen on.
    ///
    /// Picked below Linux's ephemeral range (32768–60999): a port inside it can be taken at any
    /// moment by one of the many outgoing connections a parallel test run opens, which made a
    /// child's bind fail with "Address already in use".
    public static func freePort() -> Int {
        while true {
            let port = Int.random(in: 20_000..<32_000)
            if canBind(port) { return port }
        }
    }

    static func canBind(_ port: Int) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
