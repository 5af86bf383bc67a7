/// `--early-stopping PATIENCE --monitor val_loss|val_accuracy`: part of a run's config, since
/// it decides when the run ends and which weights it keeps.
public struct EarlyStoppingConfig: Codable, Equatable, Sendable {
    /// Epochs without improvement after which training stops.
    public var patience: Int
    public var monitor: Monitor

    /// The validation figure watched: its loss (lower is better) or accuracy (higher is better).
    public enum Monitor: String, Codable, Sendable, CaseIterable {
        case valLoss = "val_loss"
        case valAccuracy = "val_accuracy"

        /// The figure in an epoch's validation report; nil without one (or without accuracy).
        public func value(_ report: EpochReport) -> Double? {
            switch self {
            case .valLoss: report.validation?.loss
            case .valAccuracy: report.validation?.accuracy
            }
        }

        /// Whether `value` is better than `best`. Strictly, as Keras' `min_delta` 0: an epoch that
        /// only equals the best is no improvement. NaN never improves.
        public func improves(_ value: Double, on best: Double?) -> Bool {
            guard let best else { return !value.isNaN }
            return self == .valLoss ? value < best : value > best
        }
    }

    public init(patience: Int, monitor: Monitor = .valLoss) {
        self.patience = patience
        self.monitor = monitor
    }
}

/// Early stopping as a listener on a run's events (`TrainingRun` adds it when the config asks):
/// after each epoch it compares the validation figure with the best so far and keeps a copy of
/// the best epoch's weights; after `patience` epochs without improvement it asks the run to
/// finish (`StopRequest.finish`), and when training ends it puts the best weights back, so the
/// test report and the model file are the best epoch's, whether the run stopped early or ran
/// every epoch.
///
/// Its state is part of every checkpoint (`ModelFile.earlyStopping`), so a resumed run decides
/// exactly as one run straight through would.
public final class EarlyStopping: TrainingRunListener {
    /// Where early stopping stands; what a checkpoint keeps of it.
    public struct State: Equatable, Sendable {
        /// The best epoch so far (1-based) and its figure; nil before the first epoch ends.
        public var bestEpoch: Int?
        public var bestValue: Double?
        /// Epochs ended since the best one.
        public var epochsWithoutImprovement = 0
        /// Whether patience ran out: the run ended there (a resumed run ends again at once).
        public var stopped = false
        /// The best epoch's parameters, flat in the network's layout (`Network.parameters`).
        public var bestParameters: [Float]?
        /// Whether the network was given the best epoch's weights back (a model file's state):
        /// its weights are then not those its training state continues from.
        public var restored = false

        public init() {}
    }

    public let config: EarlyStoppingConfig
    public private(set) var state: State

    /// - Parameter state: where a resumed run's early stopping stood (its checkpoint's).
    public init(_ config: EarlyStoppingConfig, state: State = State()) {
        self.config = config
        self.state = state
    }

    public func handle(_ event: RunEvent, in run: TrainingRun) {
        switch event {
        case let .epoch(report, _):
            epochEnded(report, network: run.trainer.network)
            if state.stopped { run.requestStop(.finish) }
        case .trainingEnded:
            restoreBest(into: run.trainer.network)
        default:
            break
        }
    }

    /// Counts an epoch: a new best keeps the network's weights, another epoch spends patience.
    func epochEnded(_ report: EpochReport, network: Network) {
        guard let value = config.monitor.value(report) else { return }
        if config.monitor.improves(value, on: state.bestValue) {
            state.bestEpoch = report.epoch
            state.bestValue = value
            state.epochsWithoutImprovement = 0
            let count = network.layout.parameterCount
            // Copied in place: after the first epoch, keeping a best epoch allocates nothing
            // (unless a checkpoint being written still shares the old copy).
            if state.bestParameters?.count != count { state.bestParameters = [Float](repeating: 0, count: count) }
            state.bestParameters!.withUnsafeMutableBufferPointer {
                $0.baseAddress!.update(from: network.parameters.base, count: count)
            }
        } else {
            state.epochsWithoutImprovement += 1
            if state.epochsWithoutImprovement >= config.patience { state.stopped = true }
        }
    }

    /// Puts the best epoch's weights into `network` (nothing before the first epoch ends).
    func restoreBest(into network: Network) {
        guard let best = state.bestParameters, !state.restored else { return }
        best.withUnsafeBufferPointer { network.parameters.copy(from: $0) }
        state.restored = true
    }

    /// One line for people: "best val_loss 0.4123 at epoch 7 of 12 (stopped: 5 epochs without
    /// improvement); the model holds epoch 7's weights".
    public func summary(epochs: Int) -> String? {
        guard let epoch = state.bestEpoch, let value = state.bestValue else { return nil }
        let why = state.stopped ? "stopped: \(config.patience) epochs without improvement"
            : "\(state.epochsWithoutImprovement) epochs since the best, patience \(config.patience)"
        return "early stopping: best \(config.monitor.rawValue) \(String(format: "%.4f", value)) at epoch \(epoch) of " +
            "\(epochs) (\(why)); the model holds epoch \(epoch)'s weights"
    }
}
