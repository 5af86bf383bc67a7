import Dispatch
import Foundation

/// Runs one phase of a step as `count` tasks on Dispatch's worker threads and returns when all
/// have finished (the phase barrier).
///
/// Tasks are identified by index, and what a task computes depends only on its index and the
/// step — never on which thread runs it — so a pool of more workers than cores gives the same bits
/// (GCD then simply runs several tasks on one thread in turn).
public struct WorkerPool: Sendable {
    public let count: Int

    public init(count: Int) {
        precondition(count >= 1, "WorkerPool: at least one worker")
        self.count = count
    }

    /// Cores this process may use: the default worker count.
    public static var activeProcessorCount: Int {
        ProcessInfo.processInfo.activeProcessorCount
    }

    /// Calls `task(w)` for every worker index w, concurrently, and waits for all of them.
    @inline(__always)
    public func run(_ task: @Sendable (Int) -> Void) {
        if count == 1 {
            task(0)  // no hand-off to another thread for a single worker
        } else {
            DispatchQueue.concurrentPerform(iterations: count, execute: task)
        }
    }

    /// The share of `0..<total` that worker `w` owns: contiguous, as even as possible, in worker
    /// order, and empty when there are more workers than items.
    @inline(__always)
    public func share(of total: Int, worker w: Int) -> Range<Int> {
        (w * total / count)..<((w + 1) * total / count)
    }
}
