/// A training split streamed from its file through a `PrefetchReader`: block shuffle plus a
/// shuffle window (`StreamPlan`), in bounded memory.
public final class StreamedData: TrainingData {
    public let split: StreamedSplit
    public let plan: StreamPlan
    /// Windows in the reader's ring.
    public let ring: Int
    private let identity: FileIdentity
    private var reader: PrefetchReader?
    private var epochPlan: StreamPlan.Epoch?

    /// - Parameters:
    ///   - plan: the blocks of `split` to train on and how many make a window; a window's rows
    ///     (less one block) must be at least a batch, so that a batch spans at most two windows.
    ///   - prefetch: windows read ahead of the one training is in (ring = prefetch + 1).
    public init(_ split: StreamedSplit, plan: StreamPlan, prefetch: Int) throws {
        precondition(prefetch >= 1, "StreamedData: prefetch at least one window")
        self.split = split
        self.plan = plan
        ring = prefetch + 1
        identity = try FileIdentity(path: split.path)
    }

    public var name: String { split.name }
    public var rows: Int { plan.rows }
    public var featureCount: Int { split.featureCount }
    public var hasLabels: Bool { split.hasLabels }

    /// Bytes of the ring's windows: what streaming holds in memory.
    public var ringBytes: Int {
        ring * RowWindow.bytes(rows: plan.windowCapacity, featureCount: split.featureCount,
                               elementType: split.elementType, targets: split.targets)
    }

    public func start(epoch: Int, index: Int, batchSize: Int, epochs: Int) throws {
        stop()
        let smallest = plan.windowCapacity - (plan.blocks.map(\.count).max() ?? 0)
        precondition(plan.windowCount == 1 || smallest >= batchSize,
                     "StreamedData: windows of \(plan.windowCapacity) rows are too small for batches of \(batchSize)")
        let first = epoch * plan.windowCount + self.epoch(epoch).window(containing: min(index * batchSize, rows - 1))
        reader = PrefetchReader(reader: try BlockReader(split, identity: identity), plan: plan, ring: ring,
                                first: first, end: epochs * plan.windowCount)
    }

    public func batch(epoch: Int, index: Int, batchSize: Int) throws -> Batch {
        guard let reader else { preconditionFailure("StreamedData: batch before start") }
        let e = self.epoch(epoch)
        let lower = index * batchSize, upper = min(lower + batchSize, rows)
        var runs: [(store: any RowStore, indices: ArraySlice<Int>)] = []
        for w in e.window(containing: lower)...e.window(containing: upper - 1) {
            let window = try reader.window(epoch * plan.windowCount + w)
            let from = max(lower, e.starts[w]) - e.starts[w], to = min(upper, e.starts[w + 1]) - e.starts[w]
            runs.append((window, window.order[from..<to]))
        }
        return Batch(runs)
    }

    public func finished(epoch: Int, index: Int, batchSize: Int) {
        let e = self.epoch(epoch)
        let upper = min((index + 1) * batchSize, rows)
        // Windows that end at or before the next batch's first row are done.
        let next = upper == rows ? e.windows.count : e.window(containing: upper)
        reader?.release(before: epoch * plan.windowCount + next)
    }

    public func stop() {
        reader?.stop()
        reader = nil
    }

    private func epoch(_ epoch: Int) -> StreamPlan.Epoch {
        if epochPlan?.epoch != epoch { epochPlan = plan.epoch(epoch) }
        return epochPlan!
    }
}
