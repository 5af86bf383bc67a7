/// What the trainer reports after each epoch and at the end of a run.
public struct EpochReport: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Global steps completed so far.
    public var steps: Int
    /// Mean training loss over the epoch's rows (with dropout active, as trained).
    public var trainLoss: Double
    /// Fraction of the epoch's training rows predicted right during training.
    public var trainAccuracy: Double?
    public var validation: EvaluationReport?
    public var learningRate: Double
    /// Wall-clock seconds of the epoch's training steps (evaluation excluded).
    public var seconds: Double
    public var samplesPerSecond: Double
    /// Gradient diagnostics of every layer with parameters, in model order (`LayerGradients`);
    /// nil when the epoch's steps were not measured (`Trainer.measuresGradients`, or epochs
    /// of a checkpoint from before Spindle measured them).
    public var layers: [LayerGradients]? = nil
}

/// The outcome of a training run.
public struct TrainingResult: Sendable {
    public var epochs: [EpochReport]
    public var steps: Int
    /// Wall-clock seconds spent in training steps (evaluation excluded).
    public var trainingSeconds: Double
    public var samplesTrained: Int
    /// Where the run stopped: what a checkpoint of its end holds.
    public var state: TrainingState
    /// Whether the run stopped early because `afterStep` asked it to.
    public var interrupted: Bool
    public var samplesPerSecond: Double { trainingSeconds > 0 ? Double(samplesTrained) / trainingSeconds : 0 }
}
