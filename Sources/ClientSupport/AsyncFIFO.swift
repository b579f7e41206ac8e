public import Synchronization

/// An unbounded first-in first-out queue from producers on any thread to async readers: the
/// hand-over of a consumer's deliveries to a worker's tasks.
///
/// A read that finds a value waiting takes it under a lock and returns without suspending.
/// Reading an `AsyncThrowingStream` instead switched executors several times per element (its
/// iterator, its storage and its cancellation handler each take the caller's isolation), and
/// every switch of a task with an executor preference looks that preference up under the
/// task's status lock: about a tenth of a worker's CPU at 20,000 tasks/s (issue 9).
///
/// Several tasks may read at once: each value goes to one of them, waiting readers in the order
/// they came. Like a stream, values queued before ``finish(throwing:)`` are still read, then the
/// end is reported (`nil`, or the error once, then `nil`); cancelling a waiting reader's task
/// ends the queue for every reader.
///
/// Its methods are inlinable so that the consumer's module specializes them for its element
/// type: unspecialized, each call looked the generic metadata of its state and continuation up
/// at run time (about 2 % of a worker's CPU). Readers wait on unsafe continuations (no checking
/// object allocated per wait): the lock hands each waiting reader to exactly one resume.
public final class AsyncFIFO<Element: Sendable>: Sendable {
    @usableFromInline typealias Reader = UnsafeContinuation<Element?, any Error>

    @usableFromInline struct State {
        @usableFromInline var items: [Element] = []
        /// Items before this index have been read.
        @usableFromInline var head = 0
        /// Readers waiting for a value, oldest first.
        @usableFromInline var readers: [Reader] = []
        /// Set by finish (or a cancelled reader): nil while the queue is open.
        @usableFromInline var end: (any Error)??

        @inlinable init() {}
    }

    @usableFromInline enum Read {
        case element(Element)
        case end((any Error)?)
        case empty
    }

    @usableFromInline let state = Mutex(State())

    @inlinable public init() {}

    /// Appends `element`, or hands it straight to the oldest waiting reader. Ignored once finished.
    @inlinable public func yield(_ element: Element) {
        let reader = state.withLock { state -> Reader? in
            guard state.end == nil else { return nil }
            if !state.readers.isEmpty { return state.readers.removeFirst() }
            state.items.append(element)
            return nil
        }
        reader?.resume(returning: element)
    }

    /// Ends the queue: once the values already queued are read, readers get `nil` (the first
    /// one `error`, when given). Only the first call counts.
    @inlinable public func finish(throwing error: (any Error)? = nil) {
        let waiting = state.withLock { state -> [Reader] in
            guard state.end == nil else { return [] }
            // Readers wait only when nothing is queued: they read the end now, the error included.
            state.end = .some(state.readers.isEmpty ? error : nil)
            defer { state.readers = [] }
            return state.readers
        }
        for (index, reader) in waiting.enumerated() {
            if index == 0, let error { reader.resume(throwing: error) } else { reader.resume(returning: nil) }
        }
    }

    /// The next value, waiting for one when none is queued; `nil` once the queue has ended.
    @inlinable public func next() async throws -> Element? {
        switch state.withLock({ Self.take(&$0) }) {
        case .element(let element): return element
        case .end(let error?): throw error
        case .end(nil): return nil
        case .empty: break
        }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (reader: Reader) in
                let read = state.withLock { state -> Read in
                    let read = Self.take(&state)
                    if case .empty = read { state.readers.append(reader) }
                    return read
                }
                switch read {
                case .element(let element): reader.resume(returning: element)
                case .end(let error?): reader.resume(throwing: error)
                case .end(nil): reader.resume(returning: nil)
                case .empty: break
                }
            }
        } onCancel: {
            finish()
        }
    }

    /// Values queued and not read yet.
    @inlinable public var count: Int { state.withLock { $0.items.count - $0.head } }

    @inlinable static func take(_ state: inout State) -> Read {
        if state.head < state.items.count {
            let element = state.items[state.head]
            state.head += 1
            if state.head == state.items.count {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= 1024, state.head * 2 >= state.items.count {
                // Never emptied under steady load: drop the read prefix now and then.
                state.items.removeFirst(state.head)
                state.head = 0
            }
            return .element(element)
        }
        guard let end = state.end else { return .empty }
        // An error is reported once; reads after it see the plain end.
        if end != nil { state.end = .some(nil) }
        return .end(end)
    }
}
