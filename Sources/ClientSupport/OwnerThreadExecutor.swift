/// A `TaskExecutor` that runs jobs on an ``OwnerThread``, between the owner's own work.
///
/// Tasks that prefer it (`Task(executorPreference:)`, `withTaskExecutorPreference`) run on the
/// thread that owns a connection: a task that reads a delivery, runs briefly and queues its ack
/// then never changes threads, and nothing is woken to hand it over. Everything such a task
/// does blocks the connection meanwhile, so it is only for work that suspends instead of
/// blocking. Once the owner's loop has ended, jobs go to the global executor instead.
public final class OwnerThreadExecutor: TaskExecutor, Sendable {
    private let owner: OwnerThread

    public init(owner: OwnerThread) {
        self.owner = owner
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = owner.submitIfOpen { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
        if !accepted { globalConcurrentExecutor.enqueue(job) }
    }
}
