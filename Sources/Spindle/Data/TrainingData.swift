import Dispatch

/// Where a trainer's batches come from: a split held in memory, or one streamed from its file.
/// Batch `index` of `epoch` is rows index·B ..< (index+1)·B of the epoch's order, which is a pure
/// function of (seed, epoch), so a checkpoint's (epoch, batch) is the whole loader position.
public protocol TrainingData: AnyObject {
    /// "data.h5:/train", for messages.
    var name: String { get }
    var rows: Int { get }
    var featureCount: Int { get }
    var hasLabels: Bool { get }
    /// x's shape a row: [F], or an image's [H, W], [C, H, W] or [H, W, C].
    var sampleShape: [Int] { get }
    /// Announces the batches the run will ask for, so a streaming loader can read ahead:
    /// from batch `index` of `epoch` to the end of epoch `epochs − 1`. With `dropLast`, an
    /// epoch ends with its last whole batch: rows ⌊rows / B⌋·B ..< rows of its order are never
    /// asked for, and a loader must not wait on them (`TrainingConfig.dropLast`).
    func start(epoch: Int, index: Int, batchSize: Int, epochs: Int, dropLast: Bool) throws
    /// The batch, once its rows are in memory (a streaming loader may make the caller wait).
    func batch(epoch: Int, index: Int, batchSize: Int) throws -> Batch
    /// The caller is done with that batch: the memory behind it may be reused. The loader may
    /// use the workers (see `attach`) to prepare later batches now, between two steps.
    /// - Returns: seconds the workers spent on that.
    func finished(epoch: Int, index: Int, batchSize: Int) throws -> Double
    /// Lends the loader the trainer's worker threads, for work it does between steps.
    func attach(_ pool: WorkerPool)
    /// Stops reading ahead.
    func stop()
}

extension TrainingData {
    /// Rows of F features, for a caller's own data that says nothing else.
    public var sampleShape: [Int] { [featureCount] }
}

/// A split in memory, fully permuted each epoch.
public final class InMemoryData: TrainingData {
    public let split: DatasetSplit
    let seed: UInt64
    private var order: (epoch: Int, rows: [Int])?

    public init(_ split: DatasetSplit, seed: UInt64) {
        self.split = split
        self.seed = seed
    }

    public var name: String { split.name }
    public var rows: Int { split.rows }
    public var featureCount: Int { split.featureCount }
    public var hasLabels: Bool { split.hasLabels }
    public var sampleShape: [Int] { split.sampleShape }

    public func start(epoch: Int, index: Int, batchSize: Int, epochs: Int, dropLast: Bool) {}

    public func batch(epoch: Int, index: Int, batchSize: Int) -> Batch {
        if order?.epoch != epoch {
            order = (epoch, Shuffle.permutation(count: split.rows, seed: seed, epoch: epoch))
        }
        let lower = index * batchSize
        return Batch(split: split, indices: order!.rows[lower..<min(lower + batchSize, split.rows)])
    }

    public func finished(epoch: Int, index: Int, batchSize: Int) -> Double { 0 }
    public func attach(_ pool: WorkerPool) {}
    public func stop() {}
}
