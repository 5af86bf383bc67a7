import Foundation
import Synchronization

/// The state a `WorkerPool`'s threads share: the phase counter they watch, the task of the
/// current phase, and how many of them are still running it.
///
/// Ordering: the coordinator writes `task`, then bumps `phase` (sequentially consistent); a
/// worker that sees the new phase therefore sees the task. A worker decrements `running` after
/// its task; the coordinator sees 0 only after every task's writes. Sleeping follows the classic
/// pattern: a worker announces itself in `sleepers` and re-checks `phase` under the mutex before
/// waiting; the coordinator bumps `phase` before reading `sleepers`, so one of the two always
/// sees the other and no wake-up is lost.
final class PhaseBoard: @unchecked Sendable {
    private let phase = Atomic<Int>(0)
    private let running = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let condition = NSCondition()
    /// Valid while a phase runs; written only by the coordinator between phases. Unowned: the
    /// coordinator holds the task for the whole phase (`WorkerPool.run`), and a strong reference
    /// would have every worker retain and release it, contending for its reference count.
    private nonisolated(unsafe) unowned(unsafe) var task: (any PoolTask)?

    /// Checks of `phase` before a waiting worker starts yielding its core (about 50 µs: longer than
    /// the coordinator's work between two phases, so a worker is still spinning when the next
    /// phase starts), and before it sleeps (a few ms: between epochs, not between steps).
    private static let spinsBeforeYield = 20_000
    private static let spinsBeforeSleep = 200_000

    func start(task: any PoolTask, workers: Int) {
        self.task = task
        running.store(workers, ordering: .sequentiallyConsistent)
        phase.wrappingAdd(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
    }

    func waitForWorkers() {
        var spins = 0
        while running.load(ordering: .sequentiallyConsistent) > 0 {
            spins += 1
            if spins > Self.spinsBeforeYield { sched_yield() }
        }
        task = nil
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        phase.wrappingAdd(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
    }

    func workerLoop(index: Int) {
        var seen = 0
        while true {
            seen = waitForPhase(after: seen)
            if stopping.load(ordering: .sequentiallyConsistent) { return }
            task?.run(worker: index)
            running.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Returns the first phase number different from `seen`, spinning, then yielding, then asleep.
    private func waitForPhase(after seen: Int) -> Int {
        var spins = 0
        while true {
            let current = phase.load(ordering: .sequentiallyConsistent)
            if current != seen { return current }
            spins += 1
            if spins < Self.spinsBeforeYield { continue }
            if spins < Self.spinsBeforeSleep { sched_yield(); continue }
            condition.lock()
            sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
            while phase.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
            sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            condition.unlock()
            spins = 0
        }
    }

    private func wakeSleepers() {
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
