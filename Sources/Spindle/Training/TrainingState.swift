/// Where a training run stands between two steps: everything, beyond the weights and the
/// optimizer's moments, that the next step and the run's reports need (DESIGN.md contract 2).
///
/// The loader position is (epoch, batchInEpoch): the epoch's order is a pure function of
/// (seed, epoch), so nothing else about the data needs saving. The learning rate is a function of
/// `step`. The partial-epoch sums let an epoch interrupted and resumed report the same figures
/// as one run straight through.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps taken (Adam's t).
    public var step = 0
    /// The epoch in progress, 0-based.
    public var epoch = 0
    /// The next batch of that epoch.
    public var batchInEpoch = 0
    /// The epoch's training loss summed over its rows so far, its correct predictions and rows.
    public var epochLossSum = 0.0
    /// With class weights: the epoch's rows' weights summed so far, and `epochLossSum` their
    /// weighted losses (the epoch's loss is the weighted mean); nil without class weights.
    public var epochWeightSum: Double?
    public var epochCorrect = 0
    public var epochRows = 0
    /// Wall-clock seconds of the epoch's steps so far.
    public var epochSeconds = 0.0
    /// The epoch's gradient diagnostics so far (nil before its first measured step, and in
    /// checkpoints written before Spindle measured them).
    public var epochGradients: GradientSums? = nil
    /// Reports of the finished epochs.
    public var history: [EpochReport] = []
    /// Samples trained and seconds spent in steps over the whole run.
    public var samplesTrained = 0
    public var trainingSeconds = 0.0

    public init() {}
}
