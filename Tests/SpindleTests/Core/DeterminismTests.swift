import Spindle
import Testing

/// DESIGN.md contract 1: same data, config and seed ⇒ bit-identical weights, optimizer moments
/// and losses, run after run, whatever the worker count. No tolerance: any difference fails.
struct DeterminismTests {
    static let workerCounts = [1, 2, 3, 4, 8]
    /// The fixed tiles every run cuts its steps into; only the worker count varies.
    static let shards = 8

    struct Case: Sendable, CustomTestStringConvertible {
        var optimizer: OptimizerConfig
        var batchSize: Int
        var clipNorm: Float? = nil
        var spec = ModelSpec(inputCount: 12, hiddenSizes: [16, 10], outputCount: 5, dropout: 0.3)
        var testDescription: String {
            "\(spec.architecture) \(optimizer.kind)\(optimizer.nesterov ? " nesterov" : "") B=\(batchSize)"
                + (clipNorm.map { " clip \($0)" } ?? "")
        }
    }

    /// B = 37 is divided unevenly by 2, 3, 4 and 8 workers; B = 3 leaves some of 8 workers idle.
    /// The clip norm is small enough to clip (checked below). The last case has the shapes of
    /// the tail of 784-512-256-10 at B = 256, where the products are large enough for BLAS to
    /// take its blocked paths.
    static let cases: [Case] = [
        Case(optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2), batchSize: 37),
        Case(optimizer: OptimizerConfig(kind: .momentum, learningRate: 5e-2), batchSize: 37),
        Case(optimizer: OptimizerConfig(kind: .momentum, learningRate: 5e-2), batchSize: 37, clipNorm: 0.05),
        Case(optimizer: OptimizerConfig(kind: .momentum, learningRate: 5e-2, nesterov: true), batchSize: 3),
        Case(optimizer: OptimizerConfig(kind: .adamw, learningRate: 1e-2, weightDecay: 0.1), batchSize: 3),
        Case(optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-3), batchSize: 256,
             spec: ModelSpec(inputCount: 12, hiddenSizes: [256], outputCount: 10, dropout: 0.3)),
    ]

    struct Run: Equatable {
        var parameters: [Float]
        var moments: [[Float]]
        var losses: [Double]
    }

    /// Ten steps of a ReLU network with dropout 0.3 on shuffled rows of a split of 300 rows.
    static func train(_ c: Case, workers: Int) -> Run {
        let split = makeClassificationSplit(rows: 300, features: 12, classes: c.spec.outputCount, seed: 99)
        let engine = StepEngine(network: Network(spec: c.spec, seed: 2024), optimizer: c.optimizer,
                                workers: workers, shards: Self.shards, maxBatch: c.batchSize, seed: 2024)
        let order = Shuffle.permutation(count: split.rows, seed: 2024, epoch: 0)
        var losses: [Double] = []
        for step in 0..<10 {
            let indices = (0..<c.batchSize).map { order[(step * c.batchSize + $0) % split.rows] }
            let scalars = engine.optimizer.scalars(step: step + 1, learningRate: c.optimizer.learningRate)
            let result = engine.step(Batch(split: split, indices: indices[...]), step: step,
                                     update: scalars, clipNorm: c.clipNorm)
            losses.append(result.lossSum)
        }
        return Run(parameters: engine.network.parameters.array(),
                   moments: engine.moments.map { $0.array() }, losses: losses)
    }

    @Test(arguments: cases)
    func sameBitsForEveryWorkerCount(_ c: Case) {
        let reference = Self.train(c, workers: 1)
        #expect(reference.losses.allSatisfy { $0.isFinite })
        if let clipNorm = c.clipNorm {
            var unclipped = c
            unclipped.clipNorm = nil
            #expect(Self.train(unclipped, workers: 1).parameters != reference.parameters,
                    "clip norm \(clipNorm) should clip")
        }
        for workers in Self.workerCounts.dropFirst() {
            let run = Self.train(c, workers: workers)
            expectBitIdentical(run.parameters, reference.parameters, "parameters, \(workers) vs 1 workers")
            for (m, (moment, expected)) in zip(run.moments, reference.moments).enumerated() {
                expectBitIdentical(moment, expected, "moment \(m), \(workers) vs 1 workers")
            }
            if let (step, (a, b)) = zip(run.losses, reference.losses).enumerated()
                .first(where: { $0.element.0.bitPattern != $0.element.1.bitPattern }) {
                Issue.record("loss of step \(step), \(workers) vs 1 workers: \(a) vs \(b)")
            }
        }
    }

    @Test(arguments: cases)
    func sameBitsRunAfterRun(_ c: Case) {
        #expect(Self.train(c, workers: 3) == Self.train(c, workers: 3))
    }

    /// The whole `Trainer` (shuffling, partial last batch, schedule, validation) for two epochs.
    @Test func trainerSameBitsForOneAndThreeWorkers() throws {
        let all = makeClassificationSplit(rows: 90, features: 6, classes: 3, seed: 5)
        let train = all.subset(Array(0..<70), name: "train"), validation = all.subset(Array(70..<90), name: "val")
        let config = TrainingConfig(
            hiddenSizes: [8, 6], activation: .tanh,
            optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
            schedule: .cosine(warmupSteps: 2, minimum: 1e-4), batchSize: 16, epochs: 2,
            dropout: 0.2, clipNorm: 1, seed: 11, shards: 4)
        func run(workers: Int) throws -> ([Float], [EpochReport]) {
            let trainer = try Trainer(config: config, train: train, validation: validation, outputs: 3,
                                      workers: workers)
            let result = try trainer.run()
            return (trainer.network.parameters.array(), result.epochs)
        }
        let (one, oneReports) = try run(workers: 1)
        let (three, threeReports) = try run(workers: 3)
        expectBitIdentical(three, one, "Trainer parameters, 3 vs 1 workers")
        try #require(oneReports.count == 2 && threeReports.count == 2)
        for (a, b) in zip(threeReports, oneReports) {
            #expect(a.trainLoss.bitPattern == b.trainLoss.bitPattern, "epoch \(b.epoch) train loss")
            #expect(a.trainAccuracy == b.trainAccuracy, "epoch \(b.epoch) train accuracy")
            #expect(a.validation == b.validation, "epoch \(b.epoch) validation report")
            #expect(a.learningRate == b.learningRate && a.steps == b.steps)
        }
    }
}
