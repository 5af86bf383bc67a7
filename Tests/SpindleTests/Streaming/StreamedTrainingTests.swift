import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Training on a streamed split keeps the contracts of training in memory: any worker count gives
/// the same bits, and a run stopped mid-epoch and resumed gives the bits of one straight through.
struct StreamedTrainingTests {
    static let config = TrainingConfig(
        hiddenSizes: [12], optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2), batchSize: 20,
        epochs: 3, dropout: 0.2, seed: 4, shards: 3, standardize: true)

    static func trainer(_ fixture: StreamFixture, workers: Int) throws -> Trainer {
        let split = try fixture.streamed()
        let plan = StreamPlan(blocks: StreamPlan.blocks(rows: 0..<split.rows, blockRows: 16), windowBlocks: 3,
                              seed: config.seed, shuffled: true)
        return try Trainer(config: config, data: try StreamedData(split, plan: plan, prefetch: 1),
                           outputs: 3, workers: workers, statistics: try StreamedRows(split))
    }

    @Test func workerCountsAgreeBitForBit() throws {
        let fixture = try StreamFixture(rows: 230, features: 6)
        let one = try Self.trainer(fixture, workers: 1), two = try Self.trainer(fixture, workers: 2)
        _ = try one.run()
        _ = try two.run()
        #expect(one.network.parameters.array() == two.network.parameters.array())
    }

    @Test(arguments: [5, 12, 20])
    func resumingMidEpochGivesTheSameBits(stopAfter k: Int) throws {
        let fixture = try StreamFixture(rows: 230, features: 6)
        let straight = try Self.trainer(fixture, workers: 2)
        let expected = try straight.run()
        let first = try Self.trainer(fixture, workers: 2)
        let partial = try first.run { $0.step == k ? .stop : .proceed }
        let checkpoint = ModelFile(network: first.network.copy(), config: Self.config,
                                   moments: first.engine.moments.map { $0.array() }, steps: k, state: partial.state)
        let second = try Self.trainer(fixture, workers: 1)
        try second.restore(from: checkpoint, path: "memory")
        let resumed = try second.run(from: partial.state)
        #expect(resumed.steps == expected.steps)
        #expect(second.network.parameters.array() == straight.network.parameters.array())
        #expect(resumed.epochs.map(\.trainLoss) == expected.epochs.map(\.trainLoss))
    }

    @Test func standardisationUsesTheTrainingSetsStatistics() throws {
        let fixture = try StreamFixture(rows: 230, features: 6)
        let trainer = try Self.trainer(fixture, workers: 1)
        let scaling = try #require(trainer.network.featureScaling)
        // Feature j of row r is (6r + j) / 2: mean (6·229/2 + j) / 2, std 3·sqrt((230² − 1)/12).
        let variance: Double = (230.0 * 230.0 - 1) / 12
        let std = Float(3 * variance.squareRoot())
        for j in 0..<6 {
            let mean = Float(687 + j) / 2
            #expect(abs(scaling.mean[j] - mean) < 1e-3)
            #expect(abs(scaling.std[j] - std) / std < 1e-5)
        }
    }
}

/// Standardisation statistics and their place in the model file.
struct FeatureScalingTests {
    @Test func blockwiseStatisticsMatchTheTextbookFormula() throws {
        var random = SplitMix64(seed: 8)
        let x = (0..<(500 * 3)).map { _ in random.normal() * 3 + 100 }
        var statistics = FeatureStatistics(features: 3)
        try statistics.add(Array(x[..<(123 * 3)]))
        try statistics.add(Array(x[(123 * 3)...]))
        let scaling = statistics.scaling
        for j in 0..<3 {
            let column = stride(from: j, to: x.count, by: 3).map { Double(x[$0]) }
            let mean = column.reduce(0, +) / 500
            let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 500).squareRoot()
            #expect(abs(Double(scaling.mean[j]) - mean) < 1e-4)
            #expect(abs(Double(scaling.std[j]) - std) < 1e-5)
        }
    }

    @Test func aConstantFeatureIsCentredNotDividedByZero() throws {
        let scaling = FeatureScaling(mean: [2, 5], std: [0, 2])
        var x: [Float] = [3, 9]
        try scaling.apply(to: &x)
        #expect(x == [1, 2])
    }

    /// The public forms take arrays and refuse a partial row, which the raw-pointer forms the
    /// engine uses would read past.
    @Test func partialRowsAreRefused() {
        var x: [Float] = [3, 9, 1]
        expectRefusal("standardisation: given 3 values; expected whole rows of 2 features") {
            try FeatureScaling(mean: [2, 5], std: [1, 2]).apply(to: &x)
        }
        var statistics = FeatureStatistics(features: 2)
        expectRefusal("standardisation statistics: given 3 values; expected whole rows of 2 features") {
            try statistics.add(x)
        }
    }

    @Test func theModelFileKeepsTheScaling() throws {
        let network = Network(spec: ModelSpec(inputCount: 2, hiddenSizes: [3], outputCount: 2, activation: .relu,
                                              loss: .crossEntropy), seed: 1)
        network.featureScaling = FeatureScaling(mean: [1, -2], std: [0.5, 4])
        let directory = try TemporaryDirectory()
        let path = directory.path("scaled.h5")
        try ModelFile(network: network, config: nil).write(to: path)
        #expect(try ModelFile.read(from: path).network.featureScaling == network.featureScaling)
    }
}
