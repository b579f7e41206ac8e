import Synchronization

/// What became of the delivery a worker task is processing, for the steps that settle it.
///
/// When a step gives up (a server stayed unreachable past the settle budget), the message is
/// handed back to the broker at once rather than acknowledged by a later step: the task then
/// runs again, on this or another worker, instead of being lost. Every later step of the same
/// delivery must then leave it alone (an ack after the hand-back would be an unknown delivery
/// tag, which closes the channel).
final class DeliveryLedger: Sendable {
    private let handedBack = Atomic<Bool>(false)

    /// The delivery was handed back: nothing more may be done with it.
    var isHandedBack: Bool { handedBack.load(ordering: .acquiring) }

    /// Marks the delivery handed back; true for the first caller only.
    func markHandedBack() -> Bool {
        !handedBack.exchange(true, ordering: .acquiringAndReleasing)
    }
}
