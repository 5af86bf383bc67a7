import Dispatch

/// Where the time of training steps went, summed over steps (seconds).
///
/// Busy times are summed over workers, so with W workers and wall time T there are W·T
/// worker-seconds to account for: busy phases + waiting at the phase barriers (a worker that
/// finished its share early, or was not scheduled) + the coordinator's serial work, during which
/// every worker waits.
public struct StepTimings: Codable, Equatable, Sendable {
    public var steps = 0
    /// Wall-clock time of the steps.
    public var wall = 0.0
    /// Phase A busy time: gather, forward, loss, backward-data.
    public var forwardBackward = 0.0
    /// Phase B busy time spent on weight and bias gradients.
    public var gradients = 0.0
    /// Phase B busy time spent in the optimizer update.
    public var optimizer = 0.0
    /// Worker time idle at the barriers: W × (phase wall time) − busy time, over both phases.
    public var barrierWait = 0.0
    /// Time waiting for the next batch from the data loader, after the run's first batch.
    public var dataWait = 0.0
    /// Time the run's first batch waited: the loader filling its first window.
    public var dataStartup = 0.0
    /// Wall time the workers spent, between steps, on the loader's work for later batches
    /// (inflating compressed chunks); not part of `wall`.
    public var loaderWork = 0.0
    /// Serial coordinator work between phases (loss sum, clipping norm, schedule, and the
    /// exchange of gradients between ranks).
    public var coordinator = 0.0
    /// The part of `coordinator` spent in collectives across ranks (the gradient allreduce).
    public var communication = 0.0

    public init() {}

    public static func + (a: StepTimings, b: StepTimings) -> StepTimings {
        var s = a
        s.steps += b.steps; s.wall += b.wall; s.forwardBackward += b.forwardBackward
        s.gradients += b.gradients; s.optimizer += b.optimizer; s.barrierWait += b.barrierWait
        s.dataWait += b.dataWait; s.coordinator += b.coordinator; s.loaderWork += b.loaderWork
        s.dataStartup += b.dataStartup; s.communication += b.communication
        return s
    }
}

/// Per-worker busy-time slots, one cache line apart so that workers writing their own slot do not
/// slow each other down (false sharing).
final class WorkerClocks: @unchecked Sendable {
    static let stride = 16  // Doubles per slot: 128 bytes
    enum Slot: Int { case forwardBackward = 0, gradients, optimizer }
    private let slots: UnsafeMutablePointer<Double>
    let workers: Int

    init(workers: Int) {
        self.workers = workers
        slots = .allocate(capacity: workers * Self.stride)
        slots.initialize(repeating: 0, count: workers * Self.stride)
    }

    deinit { slots.deallocate() }

    @inline(__always) static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Adds the time since `start` to worker w's slot.
    @inline(__always) func add(_ slot: Slot, worker w: Int, since start: UInt64) {
        slots[w * Self.stride + slot.rawValue] += Double(Self.now() &- start) * 1e-9
    }

    /// Sum of a slot over workers, resetting it.
    func take(_ slot: Slot) -> Double {
        var total = 0.0
        for w in 0..<workers {
            total += slots[w * Self.stride + slot.rawValue]
            slots[w * Self.stride + slot.rawValue] = 0
        }
        return total
    }
}
