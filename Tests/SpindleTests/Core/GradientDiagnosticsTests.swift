import Foundation
import Spindle
import Testing

/// Gradient diagnostics (`GradientMeter`, `LayerGradients`): measuring changes no bit of
/// training; each step's norms are what the gradient and parameter buffers hold; an epoch's
/// figures are the means of its steps', named as the model file's groups, the same for any
/// worker count and after an interrupted epoch is resumed.
struct GradientDiagnosticsTests {
    /// Norms, residual blocks and every kind of trained layer; widths 13 and 6 are not multiples
    /// of the kernels' 16 lanes, so their tails are measured too.
    static let model = "dense(13),batchnorm,relu,residual(layernorm,dense(13),tanh),residual(dense(6),gelu,dense(13)),dense(6),sigmoid"
    static let split = makeClassificationSplit(rows: 120, features: 11, classes: 4, seed: 3)
    /// The groups of `model` (+ its output layer) in the model file, in order.
    static let groups = ["00_dense", "01_batchnorm", "03_residual/00_layernorm", "03_residual/01_dense",
                         "04_residual/00_dense", "04_residual/02_dense", "05_dense", "07_dense"]

    static func spec() throws -> ModelSpec {
        ModelSpec(inputCount: 11, layers: try ModelSpecParser.parse(model), outputCount: 4)
    }

    static let optimizers: [(OptimizerConfig, Float?)] = [
        (OptimizerConfig(kind: .adam, learningRate: 1e-2, weightDecay: 1e-3), nil),
        (OptimizerConfig(kind: .adamw, learningRate: 1e-2, weightDecay: 0.1), 0.05),
        (OptimizerConfig(kind: .momentum, learningRate: 5e-2, weightDecay: 1e-3, nesterov: true), nil),
        (OptimizerConfig(kind: .sgd, learningRate: 5e-2, weightDecay: 1e-3), 0.05),
    ]

    /// Eight steps of the same engine with and without measuring; `body` sees each step.
    static func steps(_ optimizer: OptimizerConfig, clip: Float?, measuring: Bool, workers: Int = 2,
                      body: (StepEngine, Int) -> Void = { _, _ in }) throws -> StepEngine {
        let engine = StepEngine(network: Network(spec: try spec(), seed: 8), optimizer: optimizer, workers: workers,
                                shards: 3, maxBatch: 30, seed: 8)
        for step in 0..<8 {
            let rows = Array((step * 30)..<(step * 30 + 30)).map { $0 % split.rows }
            engine.step(Batch(split: split, indices: rows[...]), step: step,
                        update: engine.optimizer.scalars(step: step + 1, learningRate: optimizer.learningRate),
                        clipNorm: clip, measure: measuring)
            body(engine, step)
        }
        return engine
    }

    @Test(arguments: optimizers.indices)
    func measuringChangesNoBit(_ index: Int) throws {
        let (optimizer, clip) = Self.optimizers[index]
        let measured = try Self.steps(optimizer, clip: clip, measuring: true)
        let plain = try Self.steps(optimizer, clip: clip, measuring: false)
        #expect(measured.gradientMeter.measured)
        expectBitIdentical(measured.network.parameters.array(), plain.network.parameters.array(), "\(optimizer.kind) parameters")
        for (a, b) in zip(measured.moments, plain.moments) {
            expectBitIdentical(a.array(), b.array(), "\(optimizer.kind) moments")
        }
    }

    /// The trained tensors of each group (a batchnorm's running statistics are not trained).
    static func trainedRanges(_ network: Network) -> [[Range<Int>]] {
        network.layout.groups.map { group in group.tensors.filter { $0.name == "weight" || $0.name == "bias" }.map(\.range) }
    }

    static func norm(_ values: [Float], _ ranges: [Range<Int>]) -> Double {
        ranges.flatMap { values[$0] }.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// ‖g‖, ‖Δθ‖ and ‖θ‖ of each layer, from the buffers, against the meter's. The meter sums
    /// in Float lanes of a few hundred elements each: 1e-5 relative is ample.
    @Test(arguments: optimizers.indices)
    func meterMeasuresEachStepsUpdate(_ index: Int) throws {
        let (optimizer, clip) = Self.optimizers[index]
        var before: [Float] = []
        var checked = 0
        let first = Network(spec: try Self.spec(), seed: 8)
        before = first.parameters.array()
        _ = try Self.steps(optimizer, clip: clip, measuring: true) { engine, step in
            let after = engine.network.parameters.array(), g = engine.gradients.array()
            let ranges = Self.trainedRanges(engine.network)
            #expect(engine.gradientMeter.layerCount == ranges.count)
            for (k, r) in ranges.enumerated() {
                let delta = zip(after, before).map { $0 - $1 }
                let expected = [Self.norm(g, r), Self.norm(delta, r), Self.norm(after, r)]
                let measured = [engine.gradientMeter.gradientNorm(layer: k), engine.gradientMeter.updateNorm(layer: k),
                                engine.gradientMeter.weightNorm(layer: k)]
                for (m, e) in zip(measured, expected) {
                    #expect(abs(m - e) <= 1e-5 * e + 1e-12, "step \(step) layer \(Self.groups[k]): \(measured) vs \(expected)")
                }
                checked += 1
            }
            before = after
        }
        #expect(checked == 8 * Self.groups.count)
    }

    /// 120 rows in batches of 8: 15 steps an epoch, of which batches 0 and 8 are measured.
    static func config(epochs: Int = 2) throws -> TrainingConfig {
        TrainingConfig(model: try ModelSpecParser.parse(model), optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
                       batchSize: 8, epochs: epochs, seed: 4, shards: 3)
    }

    /// An epoch's figures are the means of its measured steps' (the 1st and the 9th of 15, summed
    /// in step order), its weight norm the parameters' at its end, its names the model file's groups.
    @Test func epochFiguresAreMeansOfTheMeasuredStepsNamedAsTheModelFile() throws {
        let trainer = try Trainer(config: try Self.config(epochs: 1), train: Self.split, outputs: 4, workers: 2)
        var gradients = [Double](repeating: 0, count: Self.groups.count), ratios = gradients, measured: [Int] = []
        let result = try trainer.run { state in
            let meter = trainer.engine.gradientMeter, batch = state.step - 1
            guard batch % GradientMeter.interval == 0 else { return .proceed }
            for k in 0..<meter.layerCount {
                gradients[k] += meter.gradientNorm(layer: k)
                ratios[k] += meter.updateNorm(layer: k) / meter.weightNorm(layer: k)
            }
            measured.append(batch)
            return .proceed
        }
        #expect(result.steps == 15 && measured == [0, 8])
        let layers = try #require(result.epochs.first?.layers)
        #expect(layers.map(\.layer) == Self.groups)
        let parameters = trainer.network.parameters.array()
        for (k, (layer, ranges)) in zip(layers, Self.trainedRanges(trainer.network)).enumerated() {
            #expect(layer.gradientNorm == gradients[k] / 2, "\(layer.layer)")
            #expect(layer.updateRatio == ratios[k] / 2, "\(layer.layer)")
            #expect(abs(layer.weightNorm - Self.norm(parameters, ranges)) <= 1e-12 * layer.weightNorm, "\(layer.layer)")
            #expect(layer.gradientNorm > 0 && layer.updateRatio > 0)
        }
    }

    /// A whole run with and without diagnostics: the same parameters, losses and evaluation.
    @Test func aRunWithoutDiagnosticsTrainsTheSameBits() throws {
        let config = try Self.config()
        let measured = try Trainer(config: config, train: Self.split, outputs: 4, workers: 2)
        let plain = try Trainer(config: config, train: Self.split, outputs: 4, workers: 2)
        plain.measuresGradients = false
        let (a, b) = (try measured.run(), try plain.run())
        #expect(a.epochs.allSatisfy { $0.layers != nil } && b.epochs.allSatisfy { $0.layers == nil })
        #expect(b.state.epochGradients == nil)
        expectBitIdentical(measured.network.parameters.array(), plain.network.parameters.array(), "parameters")
        #expect(a.epochs.map(\.trainLoss) == b.epochs.map(\.trainLoss))
        #expect(try measured.evaluate(Self.split) == plain.evaluate(Self.split))
    }

    @Test func sameFiguresForAnyWorkerCount() throws {
        let config = try Self.config()
        let runs = try [1, 2, 3].map { try Trainer(config: config, train: Self.split, outputs: 4, workers: $0).run() }
        #expect(runs[0].epochs.allSatisfy { $0.layers?.count == Self.groups.count })
        for run in runs.dropFirst() { #expect(run.epochs.map(\.layers) == runs[0].epochs.map(\.layers)) }
    }

    /// Stopped mid-epoch, written to a checkpoint, read back and resumed on another worker count:
    /// every epoch's figures are a straight run's, bit for bit (the partial sums travel in the
    /// checkpoint's training state).
    @Test func resumedEpochReportsTheSameFigures() throws {
        let config = try Self.config()
        let straight = try Trainer(config: config, train: Self.split, outputs: 4, workers: 2).run()
        let first = try Trainer(config: config, train: Self.split, outputs: 4, workers: 1)
        let partial = try first.run { $0.step == 25 ? .stop : .proceed }
        #expect(partial.state.epochGradients?.steps == 2, "ten steps into the second epoch: batches 0 and 8 measured")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gradients-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ModelFile(network: first.network, config: config, moments: first.engine.moments.map { $0.array() },
                      steps: partial.state.step, state: partial.state, trainRows: Self.split.rows)
            .write(to: directory + "/ckpt.h5")
        let checkpoint = try ModelFile.read(from: directory + "/ckpt.h5")
        #expect(checkpoint.state == partial.state)
        let second = try Trainer(config: config, train: Self.split, outputs: 4, workers: 3)
        try second.restore(from: checkpoint, path: directory + "/ckpt.h5")
        let resumed = try second.run(from: try #require(checkpoint.state))
        #expect(resumed.epochs.map(\.layers) == straight.epochs.map(\.layers))
    }

    /// A state from a file: its sums must fit the network (one per layer with parameters) and the
    /// epoch's position; a checkpoint from before the diagnostics has none and still resumes.
    @Test func statesWithSumsThatDoNotFitAreRefused() throws {
        let trainer = try Trainer(config: try Self.config(), train: Self.split, outputs: 4, workers: 1)
        var state = TrainingState()
        state.step = 2
        state.batchInEpoch = 2
        state.epochRows = 16
        state.samplesTrained = 16
        var sums = GradientSums(layers: 3)
        sums.steps = 2
        state.epochGradients = sums
        #expect(throws: SpindleError.invalidState(problem: "epochGradients has 3 gradient and 3 update entries; " +
                                                  "expected one per layer with parameters, 8")) {
            try trainer.run(from: state)
        }
        sums = GradientSums(layers: 8)
        sums.steps = 2
        state.epochGradients = sums
        #expect(throws: SpindleError.invalidState(problem: "epochGradients.steps 2 is out of range; expected 0...1 " +
                                                  "(one in 8 of the epoch's 2 batches so far)")) {
            try trainer.run(from: state)
        }
        sums.steps = 1
        sums.gradientNorms[4] = -.infinity
        state.epochGradients = sums
        #expect(throws: SpindleError.invalidState(problem: "epochGradients holds -inf; expected finite sums >= 0")) {
            try trainer.run(from: state)
        }

        // No "epochGradients" key, as in older checkpoints: none, and the epoch reports the
        // steps measured after the resume.
        state.epochGradients = nil
        let old = try JSONDecoder().decode(TrainingState.self, from: try JSONEncoder().encode(state))
        #expect(old.epochGradients == nil && old == state)
        let result = try trainer.run(from: old)
        #expect(result.epochs.first?.layers?.count == Self.groups.count)
    }

    /// Across ranks (simulated as threads) every rank measures the summed gradient and the same
    /// update: the same figures on each, within rounding of one process's. (Norms have no ranks
    /// here: batch statistics across ranks are not implemented.)
    @Test func ranksMeasureTheSameAsOneProcess() throws {
        let config = TrainingConfig(model: try ModelSpecParser.parse("dense(13),relu,residual(layernorm,dense(13),tanh)"),
                                    optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2), batchSize: 32, epochs: 2,
                                    clipNorm: 0.5, seed: 4, shards: 3)
        func run(ranks: Int) -> [[LayerGradients]] {
            ThreadRanks(size: ranks).run { communicator in
                let trainer = try! Trainer(config: config, train: Self.split, outputs: 4, workers: 1, communicator: communicator)
                return try! trainer.run().epochs.compactMap(\.layers)
            }.flatMap { $0 }
        }
        let single = run(ranks: 1), ranked = run(ranks: 2)
        #expect(single.count == 2 && ranked.count == 4)
        #expect(ranked[0] == ranked[2] && ranked[1] == ranked[3], "rank 1's figures are rank 0's")
        for (a, b) in zip(ranked.prefix(2).joined(), single.joined()) {
            #expect(a.layer == b.layer)
            // The ranks add the batch's rows in another order: rounding, amplified a little by the steps.
            for (x, y) in [(a.gradientNorm, b.gradientNorm), (a.weightNorm, b.weightNorm), (a.updateRatio, b.updateRatio)] {
                #expect(abs(x - y) <= 1e-4 * y, "\(a.layer): \(x) with 2 ranks vs \(y)")
            }
        }
    }
}
