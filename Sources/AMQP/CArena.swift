import CRabbitMQ
import Foundation

/// C memory for one call into rabbitmq-c (field tables, properties, strings), freed all at
/// once when the arena goes away. Owner-thread only.
final class CArena {
    /// Memory is carved from 4 KiB chunks (a published task's headers fit in one or two), so a
    /// message costs a couple of mallocs instead of one per string, table and array.
    private static let chunkSize = 4096
    private var blocks: [UnsafeMutableRawPointer] = []
    private var chunk: UnsafeMutableRawPointer?
    private var used = 0

    deinit {
        for block in blocks { free(block) }
    }

    /// Uninitialised memory for `count` values of `T`.
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let size = max(1, count) * MemoryLayout<T>.stride
        let alignment = max(MemoryLayout<T>.alignment, 8)
        let start = (used + alignment - 1) & ~(alignment - 1)
        let raw: UnsafeMutableRawPointer
        if let chunk, start + size <= Self.chunkSize {
            raw = chunk + start
            used = start + size
        } else if size > Self.chunkSize / 4 {
            raw = malloc(size)!
            blocks.append(raw)
        } else {
            let fresh = malloc(Self.chunkSize)!
            blocks.append(fresh)
            chunk = fresh
            raw = fresh
            used = size
        }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    /// A copy of `bytes` (NUL-terminated, which keys and strings in tables expect).
    func bytes<C: Collection>(_ bytes: C) -> amqp_bytes_t where C.Element == UInt8 {
        let count = bytes.count
        let buffer = allocate(UInt8.self, count: count + 1)
        _ = UnsafeMutableBufferPointer(start: buffer, count: count).initialize(from: bytes)
        buffer[count] = 0
        return amqp_bytes_t(len: count, bytes: UnsafeMutableRawPointer(buffer))
    }

    /// A copy of `string`'s UTF-8, read in place (an intermediate array per string was a malloc
    /// and a free for each of a task message's thirty-odd header keys and values).
    func bytes(_ string: String) -> amqp_bytes_t {
        string.utf8.withContiguousStorageIfAvailable { bytes($0) } ?? bytes(Array(string.utf8))
    }
}

extension amqp_bytes_t {
    /// The bytes as a Swift array (copied).
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    /// The bytes decoded as UTF-8 (copied; invalid sequences are repaired).
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
}

/// Borrows `string` as `amqp_bytes_t` for the duration of `body` (no copy kept).
func withAMQPBytes<R>(_ string: String, _ body: (amqp_bytes_t) throws -> R) rethrows -> R {
    var copy = string
    return try copy.withUTF8 { buffer in
        try body(amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress)))
    }
}
