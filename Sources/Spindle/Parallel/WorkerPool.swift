import Foundation
import Synchronization

/// Runs one phase of a step as `count` tasks and returns when all have finished (the phase
/// barrier). Worker 0 is the calling thread; workers 1..<count are threads of the pool's own that
/// live as long as it does.
///
/// Why not `DispatchQueue.concurrentPerform`: measured on the 2-core machine, GCD took up to 3 ms
/// to bring its second thread into a 2-iteration apply, against a 4 ms training step, and left
/// 40 % of worker time idle. Here idle workers spin on an atomic phase counter for a short while
/// (yielding the core after a few thousand checks, for oversubscribed pools), then sleep on a
/// condition variable until the next phase, so that back-to-back phases start within
/// microseconds while a pool between epochs costs nothing.
///
/// Work is cut into a fixed number of tiles (`TrainingConfig.shards`) that never depends on the
/// worker count; each worker takes a contiguous run of whole tiles and makes the same BLAS call
/// for each tile that any other worker count would make. That is what keeps results identical
/// for every worker count: BLAS kernels may sum in a different order when a product is cut
/// differently (OpenBLAS picks tail and small-matrix kernels by shape), so a product is never cut
/// by the worker count itself.
public final class WorkerPool: @unchecked Sendable {
    public let count: Int
    private let shared: PhaseBoard

    public init(count: Int) {
        precondition(count >= 1, "WorkerPool: at least one worker")
        self.count = count
        shared = PhaseBoard()
        for index in 1..<count {
            let thread = Thread { [shared] in shared.workerLoop(index: index) }
            thread.name = "spindle-worker-\(index)"
            thread.start()
        }
    }

    deinit { shared.stop() }

    /// Cores this process may use: the default worker count.
    public static var activeProcessorCount: Int {
        ProcessInfo.processInfo.activeProcessorCount
    }

    /// Calls `task(w)` for every worker index w, concurrently, and waits for all of them.
    /// Allocates on every call (see `PoolTask`): a training step uses `run(_ task: PoolTask)`.
    public func run(_ task: (Int) -> Void) {
        guard count > 1 else { return task(0) }
        withoutActuallyEscaping(task) { task in
            // The wrapper, and so the closure, lives only until `run` returns.
            run(ClosureTask(task))
        }
    }

    /// Calls `task.run(worker: w)` for every worker index w, concurrently, and waits for all of
    /// them; allocates nothing.
    func run(_ task: some PoolTask) {
        guard count > 1 else { return task.run(worker: 0) }
        // The caller holds `task` until this returns, and every worker has finished it then.
        shared.start(task: task, workers: count - 1)
        task.run(worker: 0)
        shared.waitForWorkers()
    }

    /// The tiles of `0..<tiles` that worker `w` processes.
    @inline(__always)
    public func tiles(_ tiles: Int, worker w: Int) -> Range<Int> {
        Partition.part(tiles, index: w, of: count)
    }
}

/// Even contiguous partitions.
public enum Partition {
    /// Part `index` of `0..<total` cut into `parts` contiguous pieces, as even as possible, in
    /// order, empty when there are more parts than items.
    @inline(__always)
    public static func part(_ total: Int, index: Int, of parts: Int) -> Range<Int> {
        (index * total / parts)..<((index + 1) * total / parts)
    }
}
