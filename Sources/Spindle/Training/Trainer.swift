import Foundation

/// Trains a network on a training split (in memory, or streamed from its file): epochs of
/// shuffled minibatches, the scheduled learning rate, an optional validation pass after each epoch.
public final class Trainer {
    public let config: TrainingConfig
    public let network: Network
    public let engine: StepEngine
    public let data: any TrainingData
    let validation: (any SequentialRows)?
    let evaluator: Evaluator
    /// Called after every epoch, on the calling thread.
    public var onEpoch: ((EpochReport) -> Void)?
    /// Whether the run measures gradient diagnostics (`EpochReport.layers`), on one step in
    /// `GradientMeter.interval`; the parameters get the same bits either way.
    public var measuresGradients = true

    /// - Parameters:
    ///   - outputs: classes (cross-entropy, or MSE on one-hot labels) or regression targets.
    ///   - workers: Dispatch workers sharing each step; any count gives the same bits.
    ///   - communicator: the processes sharing each step; each trains on its share of every batch.
    /// - Throws: `SpindleError` for an unusable config or data that does not fit it.
    public convenience init(config: TrainingConfig, train: DatasetSplit, validation: DatasetSplit? = nil,
                            outputs: Int, workers: Int, communicator: Communicator = SingleProcess()) throws {
        try self.init(config: config, data: InMemoryData(train, seed: config.seed), validation: validation,
                      outputs: outputs, workers: workers, communicator: communicator)
    }

    /// - Parameters:
    ///   - scaling: the feature standardisation to train with when `config.standardize` (e.g. a
    ///     checkpoint's); nil computes it with one pass over `statistics`.
    ///   - statistics: the training rows in file order, for the standardisation statistics.
    public init(config: TrainingConfig, data train: any TrainingData, validation: (any SequentialRows)? = nil,
                outputs: Int, workers: Int, scaling: FeatureScaling? = nil,
                statistics: (any SequentialRows)? = nil, communicator: Communicator = SingleProcess()) throws {
        try config.validate()
        guard train.rows > 0 else {
            throw SpindleError.invalidData(location: train.name, problem: "has no rows; nothing to train on")
        }
        if config.loss == .crossEntropy, !train.hasLabels {
            throw SpindleError.invalidData(
                location: train.name,
                problem: "has float targets, but --loss cross-entropy needs integer class labels (use --loss mse)")
        }
        try Self.validate(data: train, validation: validation, outputs: outputs, loss: config.loss,
                          scaling: config.standardize ? scaling : nil, statistics: config.standardize ? statistics : nil)
        var config = try config.resolvingImage(of: train.sampleShape, location: train.name + "/x")
        if let weights = config.classWeights {
            config.classWeights = .given(try Self.resolve(weights, classes: outputs, data: train, statistics: statistics))
        }
        self.config = config
        self.data = train
        self.validation = validation
        let spec = config.modelSpec(inputs: train.featureCount, outputs: outputs)
        try spec.validateShapes()
        if let validation { try RowsShape(validation).checkImages(spec) }
        try Self.checkSteps(config, train: train)
        try Self.checkBatchStatistics(config, trainRows: train.rows)
        network = Network(spec: spec, seed: config.seed)
        if config.standardize {
            if let scaling {
                network.featureScaling = scaling
            } else {
                let rows = statistics ?? (train as? InMemoryData)?.split
                guard let rows else { preconditionFailure("Trainer: --standardize needs the training rows in order") }
                network.featureScaling = try Self.statistics(of: rows, spec: spec)
            }
        }
        engine = StepEngine(network: network, optimizer: config.optimizer, workers: workers,
                            shards: config.shards, maxBatch: min(config.batchSize, train.rows),
                            seed: config.seed, classWeights: config.classWeights?.values, communicator: communicator)
        evaluator = Evaluator(network: network, pool: engine.pool, shards: config.shards)
        train.attach(engine.pool)
    }

    /// With --drop-last, a batch larger than the training split leaves no whole batch: an epoch
    /// of no steps, a run that trains nothing (PyTorch's loader would yield nothing either).
    static func checkSteps(_ config: TrainingConfig, train: any TrainingData) throws {
        guard config.stepsPerEpoch(rows: train.rows) == 0 else { return }
        throw SpindleError.invalidConfig(
            setting: "batch-size", found: "\(config.batchSize)",
            expected: "at most the \(train.rows) training rows of \(train.name) with --drop-last, which drops " +
                "the partial batch and would leave 0 steps an epoch (lower --batch-size, or leave out --drop-last)")
    }

    /// A batchnorm layer normalises over the batch's rows: a batch of one row has no variance
    /// (PyTorch refuses it too). Across ranks the batch is the global one (its statistics are
    /// summed over the ranks, as SyncBatchNorm's), so the same rule holds for any rank count.
    /// With --drop-last the last batch, when partial, is never trained on, so its size is no matter.
    static func checkBatchStatistics(_ config: TrainingConfig, trainRows: Int) throws {
        guard config.model.contains(where: \.containsBatchNorm) else { return }
        let last = config.dropLast ? 0 : trainRows % config.batchSize
        if config.batchSize == 1 || trainRows == 1 {
            throw SpindleError.invalidConfig(
                setting: "model", found: "batchnorm",
                expected: "training batches of at least 2 rows, but --batch-size \(config.batchSize) has 1 row; " +
                    "a batch's variance needs two (change --batch-size, or use layernorm)")
        }
        if last == 1 {
            throw SpindleError.invalidConfig(
                setting: "model", found: "batchnorm",
                expected: "training batches of at least 2 rows, but the last batch of each epoch (\(trainRows) rows, " +
                    "--batch-size \(config.batchSize)) has 1 row; a batch's variance needs two " +
                    "(change --batch-size, add --drop-last to skip that batch, or use layernorm)")
        }
    }

    /// Continues from a checkpoint: its parameters and optimizer moments replace the fresh ones.
    /// - Throws: `SpindleError.invalidModel` if they do not fit this trainer's network and optimizer.
    public func restore(from checkpoint: ModelFile, path: String) throws {
        let saved = checkpoint.network
        guard saved.spec == network.spec else {
            throw SpindleError.invalidModel(
                path: path, problem: "holds a \(saved.spec.architecture) network, this run trains \(network.spec.architecture)")
        }
        guard checkpoint.moments.count == engine.moments.count,
              checkpoint.moments.allSatisfy({ $0.count == network.layout.parameterCount }) else {
            throw SpindleError.invalidModel(
                path: path, problem: "holds \(checkpoint.moments.count) optimizer moment(s), " +
                    "\(config.optimizer.kind.rawValue) needs \(engine.moments.count)")
        }
        if config.standardize, saved.featureScaling == nil {
            throw SpindleError.invalidModel(path: path, problem: "holds no standardisation statistics, but the run standardises")
        }
        try saved.validateScaling()
        saved.parameters.array().withUnsafeBufferPointer { network.parameters.copy(from: $0) }
        network.featureScaling = saved.featureScaling
        for (buffer, values) in zip(engine.moments, checkpoint.moments) {
            values.withUnsafeBufferPointer { buffer.copy(from: $0) }
        }
    }

    /// Loss and accuracy (or regression errors) of the network as it is now, on the trainer's
    /// worker threads.
    /// - Throws: `SpindleError.invalidData` when `split` does not fit the network.
    public func evaluate(_ split: DatasetSplit) throws -> EvaluationReport {
        try evaluator.evaluate(split)
    }

    /// As `evaluate(_:)`, for rows that may be streamed from their file.
    public func evaluate(rows: some SequentialRows) throws -> EvaluationReport {
        try evaluator.evaluate(rows: rows)
    }

    /// Per-feature mean and standard deviation over `rows` (as Float, uint8 scaled to 0…1); for
    /// a model of images, per channel.
    static func statistics(of rows: some SequentialRows, spec: ModelSpec) throws -> FeatureScaling {
        var statistics = FeatureStatistics(features: rows.featureCount)
        let chunk = 4096
        let x = FloatBuffer(count: chunk * rows.featureCount)
        try rows.forEachChunk(rows: chunk) { batch in
            batch.gather(rows: 0..<batch.count, x: x.base, labels: nil, targets: nil, targetWidth: 0)
            statistics.add(x.base, count: batch.count)
        }
        guard let image = spec.inputShape else { return statistics.scaling }
        return statistics.channelScaling(image, channelsLast: spec.inputChannelsLast)
    }

    /// Batches per epoch: the last one possibly partial (as PyTorch's DataLoader, drop_last=False),
    /// or, with `config.dropLast`, whole batches only (drop_last=True).
    public var stepsPerEpoch: Int { config.stepsPerEpoch(rows: data.rows) }

    /// Steps the whole run takes.
    public var totalSteps: Int {
        let all = stepsPerEpoch * config.epochs
        return min(all, config.maxSteps ?? all)
    }

    /// What the step loop offers its caller after every step: the state now, and a way to ask
    /// the run to stop there (Ctrl-C, a failed checkpoint write).
    public enum StepDecision { case proceed, stop }

    /// Runs every epoch (or until `maxSteps`), starting from `state` (a fresh run by default).
    /// - Parameter afterStep: called after every step on the calling thread, with the state a
    ///   checkpoint taken now would hold.
    /// - Throws: `SpindleError.invalidState` for a `start` this run cannot continue from,
    ///   `SpindleError.diverged` when the loss stops being finite, or what `afterStep` throws.
    public func run(from start: TrainingState = TrainingState(),
                    afterStep: ((TrainingState) throws -> StepDecision)? = nil) throws -> TrainingResult {
        try validateStart(start)
        var state = start
        let total = totalSteps
        var stopped = false
        let batchSize = config.batchSize
        if state.epoch < config.epochs, state.step < total {
            try data.start(epoch: state.epoch, index: state.batchInEpoch, batchSize: batchSize, epochs: config.epochs,
                           dropLast: config.dropLast)
        }
        defer { data.stop() }
        var firstBatch = true
        while state.epoch < config.epochs, state.step < total, !stopped {
            var learningRate = config.optimizer.learningRate
            while state.batchInEpoch < stepsPerEpoch, state.step < total, !stopped {
                let fetched = DispatchTime.now().uptimeNanoseconds
                let batch = try data.batch(epoch: state.epoch, index: state.batchInEpoch, batchSize: batchSize)
                let waited = Double(DispatchTime.now().uptimeNanoseconds - fetched) / 1e9
                learningRate = config.schedule.rate(base: config.optimizer.learningRate, step: state.step,
                                                    stepsPerEpoch: stepsPerEpoch, totalSteps: total)
                let scalars = engine.optimizer.scalars(step: state.step + 1, learningRate: learningRate)
                let started = DispatchTime.now().uptimeNanoseconds
                // Keyed by the batch's place in its epoch, so a resumed epoch measures the same steps.
                let measure = measuresGradients && state.batchInEpoch % GradientMeter.interval == 0
                let result = engine.step(batch, step: state.step, update: scalars,
                                         clipNorm: config.clipNorm.map { Float($0) }, measure: measure)
                engine.timings.loaderWork += try data.finished(epoch: state.epoch, index: state.batchInEpoch,
                                                               batchSize: batchSize)
                // The run's first batch waits for the loader to fill its first window, however
                // fast it then keeps up: that start-up is counted apart from waits in the stream.
                if firstBatch {
                    engine.timings.dataStartup += waited
                    firstBatch = false
                } else {
                    engine.timings.dataWait += waited
                }
                engine.timings.wall += waited
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 + waited
                guard result.lossSum.isFinite else {
                    throw SpindleError.diverged(step: state.step + 1, loss: result.meanLoss)
                }
                if measure {
                    if state.epochGradients == nil { state.epochGradients = GradientSums(layers: engine.gradientMeter.layerCount) }
                    state.epochGradients!.add(engine.gradientMeter)
                }
                state.step += 1
                state.batchInEpoch += 1
                state.epochLossSum += result.lossSum
                if config.classWeights != nil { state.epochWeightSum = (state.epochWeightSum ?? 0) + result.weightSum }
                state.epochCorrect += result.correct
                state.epochRows += result.rows
                state.epochSeconds += seconds
                state.samplesTrained += result.rows
                state.trainingSeconds += seconds
                let epochEnded = state.batchInEpoch == stepsPerEpoch
                if epochEnded { try finishEpoch(&state, learningRate: learningRate) }
                if try afterStep?(state) == .stop { stopped = true }
                if epochEnded { break }  // the next epoch has its own order
            }
        }
        return try result(at: state, interrupted: stopped)
    }

    /// What a run that stands at `state` reports: the finished epochs and, for a run that ends
    /// mid-epoch (--max-steps), the part of the epoch it trained. Alone, for a resumed run that
    /// takes no more steps (one that early stopping had ended).
    public func result(at state: TrainingState, interrupted: Bool = false) throws -> TrainingResult {
        var epochs = state.history
        if state.epochRows > 0 {
            let rate = config.schedule.rate(base: config.optimizer.learningRate, step: state.step - 1,
                                            stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps)
            epochs.append(try report(state, learningRate: rate, validate: true))
        }
        return TrainingResult(epochs: epochs, steps: state.step, trainingSeconds: state.trainingSeconds,
                              samplesTrained: state.samplesTrained, state: state, interrupted: interrupted)
    }

    /// Closes the epoch in `state`: reports it (with validation) and moves to the next.
    private func finishEpoch(_ state: inout TrainingState, learningRate: Double) throws {
        guard network.isFinite else { throw SpindleError.diverged(step: state.step, loss: .nan) }
        let epochReport = try report(state, learningRate: learningRate, validate: true)
        state.history.append(epochReport)
        state.epoch += 1
        state.batchInEpoch = 0
        state.epochLossSum = 0
        state.epochWeightSum = nil
        state.epochCorrect = 0
        state.epochRows = 0
        state.epochSeconds = 0
        state.epochGradients = nil
        onEpoch?(epochReport)
    }

    private func report(_ state: TrainingState, learningRate: Double, validate: Bool = false) throws -> EpochReport {
        let rows = max(state.epochRows, 1)
        return EpochReport(
            epoch: state.epoch + 1, steps: state.step, trainLoss: state.epochLossSum / (state.epochWeightSum ?? Double(rows)),
            trainAccuracy: data.hasLabels ? Double(state.epochCorrect) / Double(rows) : nil,
            validation: validate ? try validation.map { try evaluator.evaluate(rows: $0) } : nil,
            learningRate: learningRate, seconds: state.epochSeconds,
            samplesPerSecond: Double(state.epochRows) / max(state.epochSeconds, 1e-9),
            layers: state.epochGradients.map { $0.report(names: engine.measuredLayerNames, weightNorms: engine.weightNorms()) })
    }
}
