import Dispatch
import Foundation

/// Runs one phase of a step as `count` tasks on Dispatch's worker threads and returns when all
/// have finished (the phase barrier).
///
/// Work is cut into a fixed number of tiles (`TrainingConfig.shards`) that never depends on the
/// worker count; each worker takes a contiguous run of whole tiles and makes the same BLAS call
/// for each tile that any other worker count would make. That is what keeps results identical
/// for every worker count: BLAS kernels may sum in a different order when a product is cut
/// differently (OpenBLAS picks tail and small-matrix kernels by shape), so a product is never cut
/// by the worker count itself. A pool of more workers than cores also gives the same bits (GCD
/// runs several tasks on one thread in turn).
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
