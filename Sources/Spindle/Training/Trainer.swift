import Foundation

/// Trains a network on an in-memory training split: epochs of shuffled minibatches, the scheduled
/// learning rate, an optional validation pass after each epoch.
public final class Trainer {
    public let config: TrainingConfig
    public let network: Network
    public let engine: StepEngine
    let train: DatasetSplit
    let validation: DatasetSplit?
    let evaluator: Evaluator
    /// Called after every epoch, on the calling thread.
    public var onEpoch: ((EpochReport) -> Void)?

    /// - Parameters:
    ///   - outputs: classes (cross-entropy, or MSE on one-hot labels) or regression targets.
    ///   - workers: Dispatch workers sharing each step; any count gives the same bits.
    /// - Throws: `SpindleError` for an unusable config or data that does not fit it.
    public init(config: TrainingConfig, train: DatasetSplit, validation: DatasetSplit? = nil,
                outputs: Int, workers: Int) throws {
        try config.validate()
        guard train.rows > 0 else {
            throw SpindleError.invalidData(location: train.name, problem: "has no rows; nothing to train on")
        }
        if config.loss == .crossEntropy, !train.hasLabels {
            throw SpindleError.invalidData(
                location: train.name,
                problem: "has float targets, but --loss cross-entropy needs integer class labels (use --loss mse)")
        }
        self.config = config
        self.train = train
        self.validation = validation
        let spec = config.modelSpec(inputs: train.featureCount, outputs: outputs)
        network = Network(spec: spec, seed: config.seed)
        engine = StepEngine(network: network, optimizer: config.optimizer, workers: workers,
                            shards: config.shards, maxBatch: min(config.batchSize, train.rows),
                            dropout: config.dropout, seed: config.seed)
        evaluator = Evaluator(network: network, pool: engine.pool, shards: config.shards)
    }

    /// Loss and accuracy (or regression errors) of the network as it is now, on the trainer's
    /// worker threads.
    public func evaluate(_ split: DatasetSplit) -> EvaluationReport {
        evaluator.evaluate(split)
    }

    /// Batches per epoch, the last one possibly partial (as PyTorch's DataLoader, drop_last=False).
    public var stepsPerEpoch: Int { (train.rows + config.batchSize - 1) / config.batchSize }

    /// Steps the whole run takes.
    public var totalSteps: Int {
        let all = stepsPerEpoch * config.epochs
        return min(all, config.maxSteps ?? all)
    }

    /// Runs every epoch (or until `maxSteps`).
    /// - Throws: `SpindleError.diverged` when the loss stops being finite.
    public func run() throws -> TrainingResult {
        var reports: [EpochReport] = []
        var step = 0, samples = 0, trainingSeconds = 0.0
        let total = totalSteps
        for epoch in 0..<config.epochs where step < total {
            let order = Shuffle.permutation(count: train.rows, seed: config.seed, epoch: epoch)
            var lossSum = 0.0, correct = 0, rows = 0
            var learningRate = config.optimizer.learningRate
            let start = DispatchTime.now().uptimeNanoseconds
            for b in 0..<stepsPerEpoch where step < total {
                let lower = b * config.batchSize
                let batch = Batch(split: train, indices: order[lower..<min(lower + config.batchSize, train.rows)])
                learningRate = config.schedule.rate(base: config.optimizer.learningRate, step: step,
                                                    stepsPerEpoch: stepsPerEpoch, totalSteps: total)
                let scalars = engine.optimizer.scalars(step: step + 1, learningRate: learningRate)
                let result = engine.step(batch, step: step, update: scalars,
                                         clipNorm: config.clipNorm.map { Float($0) })
                guard result.lossSum.isFinite else {
                    throw SpindleError.diverged(step: step + 1, loss: result.meanLoss)
                }
                lossSum += result.lossSum
                correct += result.correct
                rows += result.rows
                step += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            trainingSeconds += seconds
            samples += rows
            guard network.isFinite else {
                throw SpindleError.diverged(step: step, loss: .nan)
            }
            let report = EpochReport(
                epoch: epoch + 1, steps: step, trainLoss: lossSum / Double(rows),
                trainAccuracy: train.hasLabels ? Double(correct) / Double(rows) : nil,
                validation: validation.map { evaluator.evaluate($0) },
                learningRate: learningRate, seconds: seconds,
                samplesPerSecond: Double(rows) / max(seconds, 1e-9))
            reports.append(report)
            onEpoch?(report)
        }
        return TrainingResult(epochs: reports, steps: step, trainingSeconds: trainingSeconds,
                              samplesTrained: samples)
    }
}
