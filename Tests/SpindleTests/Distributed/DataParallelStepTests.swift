import Spindle
import Testing

/// The data-parallel step across ranks (`StepEngine+Ranks`), with ranks simulated as threads:
/// every rank ends with the same bits, run after run, and within rounding of one process
/// training on the whole batch.
@Suite struct DataParallelStepTests {
    /// 203 rows in batches of 50: the last batch has 3 rows, so with 4 ranks one rank has none.
    static let train = makeClassificationSplit(rows: 203, features: 24, classes: 5, seed: 7)

    static func config(optimizer: OptimizerKind, dropout: Double, clip: Double?) -> TrainingConfig {
        TrainingConfig(hiddenSizes: [32, 16], optimizer: OptimizerConfig(kind: optimizer, learningRate: 0.01),
                       batchSize: 50, epochs: 2, dropout: dropout, clipNorm: clip, seed: 3, shards: 2)
    }

    struct Outcome: Sendable {
        var parameters: [Float]
        var losses: [Double]
        var steps: Int
    }

    static func train(_ config: TrainingConfig, ranks: Int, workers: Int = 1) -> [Outcome] {
        let group = ThreadRanks(size: ranks)
        return group.run { communicator in
            let trainer = try! Trainer(config: config, train: train, outputs: 5, workers: workers,
                                       communicator: communicator)
            let result = try! trainer.run()
            return Outcome(parameters: trainer.network.parameters.array(), losses: result.epochs.map(\.trainLoss),
                           steps: result.steps)
        }
    }

    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Double {
        var difference = 0.0, norm = 0.0
        for (x, y) in zip(a, b) {
            difference += Double(x - y) * Double(x - y)
            norm += Double(y) * Double(y)
        }
        return (difference / norm).squareRoot()
    }

    static let cases: [(OptimizerKind, Double, Double?)] = [(.sgd, 0, nil), (.adam, 0.2, nil), (.momentum, 0.1, 0.5)]

    @Test(arguments: cases)
    func ranksAgreeWithOneProcess(optimizer: OptimizerKind, dropout: Double, clip: Double?) {
        let config = Self.config(optimizer: optimizer, dropout: dropout, clip: clip)
        let single = Self.train(config, ranks: 1)[0]
        for ranks in [2, 4] {
            let outcomes = Self.train(config, ranks: ranks)
            for (rank, outcome) in outcomes.enumerated() {
                expectBitIdentical(outcome.parameters, outcomes[0].parameters, "rank \(rank) of \(ranks) vs rank 0")
                #expect(outcome.steps == single.steps)
            }
            // Tolerance: the ranks add the batch's rows in another order (R partial dW sums), so
            // the weights differ from one process's by rounding, amplified a little by the steps.
            let difference = Self.relativeDifference(outcomes[0].parameters, single.parameters)
            #expect(difference < 1e-5, "\(ranks) ranks vs 1 process: relative difference \(difference)")
            for (a, b) in zip(outcomes[0].losses, single.losses) {
                #expect(abs(a - b) <= 1e-5 * abs(b), "epoch loss \(a) with \(ranks) ranks vs \(b)")
            }
        }
    }

    @Test func sameBitsRunAfterRunAndForAnyWorkerCount() {
        let config = Self.config(optimizer: .adam, dropout: 0.2, clip: 1)
        let first = Self.train(config, ranks: 2, workers: 1)
        let again = Self.train(config, ranks: 2, workers: 1)
        let moreWorkers = Self.train(config, ranks: 2, workers: 2)
        expectBitIdentical(again[0].parameters, first[0].parameters, "second run")
        expectBitIdentical(moreWorkers[0].parameters, first[0].parameters, "2 workers per rank")
        #expect(again[0].losses == first[0].losses)
    }
}
