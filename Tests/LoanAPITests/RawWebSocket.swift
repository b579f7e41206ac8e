import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking WebSocket client that reads exactly what the server sends on a socket it
/// refuses: the upgrade status, the text frames, the close code; it answers the close and reads
/// until the server ends the TCP connection.
///
/// The refusal checks use it instead of swift-websocket's client: when the server's frames and
/// its FIN arrive in the same read as the `101` answer (a refusal sends them at once), that
/// client can miss them while it installs the WebSocket handlers and then waits forever (seen
/// about once in twenty parallel runs, with the client socket left in CLOSE-WAIT).
enum RawWebSocket {
    struct Exchange: Sendable {
        var status: Int
        var texts: [String]
        var closeCode: UInt16?
        /// The server closed the TCP connection after the close handshake.
        var serverClosed: Bool
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs the exchange on a thread of its own: it blocks, and must not hold a cooperative thread.
    static func exchange(port: Int, path: String, timeoutSeconds: Int = 20) async throws -> Exchange {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, path: path, timeoutSeconds: timeoutSeconds) })
            }
        }
    }

    static func blockingExchange(port: Int, path: String, timeoutSeconds: Int) throws -> Exchange {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }
        try send(fd, Array(("GET \(path) HTTP/1.1\r\nHost: localhost:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))

        let reader = Reader(fd: fd)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = reader.buffer.indices.dropLast(3).first { Array(reader.buffer[$0..<$0 + 4]) == separator }
            if headEnd == nil, try !reader.fill() { throw Failure(description: "no HTTP answer") }
        }
        let head = String(decoding: reader.buffer[..<headEnd!], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        reader.buffer.removeFirst(headEnd! + 4)
        var exchange = Exchange(status: status, texts: [], closeCode: nil, serverClosed: false)
        guard status == 101 else { return exchange }

        while exchange.closeCode == nil {
            guard let frame = try reader.nextFrame() else { throw Failure(description: "stream ended before a close frame") }
            switch frame.opcode {
            case 0x1: exchange.texts.append(String(decoding: frame.payload, as: UTF8.self))
            case 0x8: exchange.closeCode = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : 1005
            default: break
            }
        }
        // Answer the close (masked, empty), then the server ends the connection.
        try send(fd, [0x88, 0x80, 1, 2, 3, 4])
        while try reader.fill() {}
        exchange.serverClosed = true
        return exchange
    }

    /// The bytes received so far and the frames in them.
    final class Reader {
        let fd: Int32
        var buffer: [UInt8] = []
        init(fd: Int32) { self.fd = fd }

        /// Reads more bytes; false at the end of the stream.
        func fill() throws -> Bool {
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 { throw Failure(description: "recv: errno \(errno) (timed out?) after \(buffer.count) bytes") }
            if count == 0 { return false }
            buffer += chunk[..<count]
            return true
        }

        func need(_ count: Int) throws -> Bool {
            while buffer.count < count { if try !fill() { return false } }
            return true
        }

        /// One unmasked server frame (the refusals send no fragmented messages).
        func nextFrame() throws -> (opcode: UInt8, payload: [UInt8])? {
            guard try need(2) else { return nil }
            var length = Int(buffer[1] & 0x7F), offset = 2
            if length == 126 {
                guard try need(4) else { return nil }
                length = Int(buffer[2]) << 8 | Int(buffer[3]); offset = 4
            } else if length == 127 {
                guard try need(10) else { return nil }
                length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }; offset = 10
            }
            guard try need(offset + length) else { return nil }
            let frame = (opcode: buffer[0] & 0x0F, payload: Array(buffer[offset..<offset + length]))
            buffer.removeFirst(offset + length)
            return frame
        }
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += count
        }
    }
}
