import Foundation
import Logging

/// Running a chord body (callback), which may arrive twice: published again after a dispatch
/// claim lapsed, or redelivered after a crash.
extension Worker {
    /// A copy of a body that already succeeded is acknowledged without running. Two copies must
    /// not run at the same time either: the first takes a run lease; a copy finding it taken
    /// comes back later, when the first has stored its result (then it is acknowledged) or
    /// died (then its lease lapses: it is kept short and renewed while the body runs, by the
    /// worker's ``RunLeaseRenewer``, so a killed worker holds the body up seconds, not a time limit).
    func runChordBody(_ message: TaskMessage, entry: TaskRegistry.Entry, delivery: BrokerDelivery, logger: Logger) async {
        let owner = "\(configuration.hostname) \(TaskMessage.newID())"
        let lifetime = configuration.runLeaseLifetime
        let seconds = Int(lifetime.components.seconds)
        // The stored-result check and the lease in one atomic call. Apart, a copy could read "no
        // result", the running copy then store its result and release the lease, and the copy
        // take the lease and run the body a second time.
        guard let start = await settle(delivery, "start chord body", {
            try await self.backend.startChordBody(taskID: message.id, owner: owner, leaseSeconds: seconds)
        }) else { return }
        switch start {
        case .alreadySucceeded(let stored):
            await acknowledgeCopy(message, of: stored, delivery: delivery, logger: logger)
            return
        case .leasedByAnother:
            logger.info("another worker is running this chord body; checking again later")
            await settle(delivery, "delay") { try await self.broker.delay(delivery, until: Date().addingTimeInterval(2)) }
            return
        case .leased:
            break
        }
        leaseRenewer.hold(taskID: message.id, owner: owner, logger: logger)
        // A stored SUCCESS releases the lease in the same call (never before the result is there,
        // for the same reason); other outcomes release it here.
        let released = await execute(message, entry: entry, delivery: delivery, logger: logger, runLeaseOwner: owner)
        leaseRenewer.release(owner: owner)
        if !released { try? await backend.releaseRunLease(taskID: message.id, owner: owner) }
    }
}
