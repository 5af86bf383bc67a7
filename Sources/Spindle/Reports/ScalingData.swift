/// The training rows a scaling measurement steps through: a split in memory, or one streamed
/// from its file, so that the measurement includes what reading it costs (`dataWait`,
/// `loaderWork`).
public struct ScalingData {
    /// The rows in file order, for the checks (shape, labels) and the report's name.
    public let rows: any SequentialRows
    /// A fresh loader for one measurement run.
    let loader: () throws -> any TrainingData

    /// A split in memory, visited in one fixed shuffle (seed 1), so that batches gather scattered
    /// rows as in training.
    public init(_ split: DatasetSplit) {
        rows = split
        loader = { InMemoryData(split, seed: 1) }
    }

    /// A split streamed through `plan`'s blocks and windows.
    public init(streaming split: StreamedSplit, plan: StreamPlan, prefetch: Int) throws {
        rows = try StreamedRows(split, name: split.name + " (streamed)")
        loader = { try StreamedData(split, plan: plan, prefetch: prefetch) }
    }
}
