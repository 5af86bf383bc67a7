/// The work of one phase for `WorkerPool.run(_:)`, as an object rather than a closure.
///
/// Why not a closure: in Swift 6.3, handing a non-escaping closure to the pool's threads needs
/// `withoutActuallyEscaping`, and that allocates a 32-byte context on every call even when the
/// closure captures nothing the caller has not already stored (measured with valgrind: one
/// allocation per phase, 19 per step of a model with four batch normalisations). A training step
/// must allocate nothing (DESIGN.md), so its phases are described by a long-lived object whose
/// fields the coordinator sets before each phase (`StepEngine+Phases.swift`); passing a class
/// reference as `any PoolTask` allocates nothing.
protocol PoolTask: AnyObject {
    /// Does worker `worker`'s part of the phase; called once per worker index, concurrently.
    func run(worker: Int)
}

/// A closure as a `PoolTask`, for callers outside a training step (evaluation, loaders), where
/// an allocation per phase does not matter.
final class ClosureTask: PoolTask {
    private let body: (Int) -> Void

    init(_ body: @escaping (Int) -> Void) { self.body = body }

    func run(worker: Int) { body(worker) }
}
