import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// DESIGN.md contract 2: stopping after k steps, writing a checkpoint, and resuming to n steps
/// gives the bits of a run straight from 0 to n — mid-epoch, at an epoch boundary, with dropout
/// and Adam, and when the resumed run uses another worker count. No tolerance.
struct ExactResumeTests {
    static let split = makeClassificationSplit(rows: 150, features: 10, classes: 4, seed: 31)

    static let config = TrainingConfig(
        hiddenSizes: [16, 12], optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
        schedule: .cosine(warmupSteps: 3, minimum: 1e-4), batchSize: 32, epochs: 3,
        dropout: 0.25, seed: 5, shards: 4)

    static func trainer(workers: Int) throws -> Trainer {
        try Trainer(config: config, train: split, outputs: 4, workers: workers)
    }

    /// 150 rows in batches of 32: 5 steps an epoch (the last of 22 rows), 15 in all.
    @Test(arguments: [(3, 1, 2), (5, 2, 1), (7, 3, 3), (10, 1, 4)])
    func resumedRunHasTheSameBits(stopAfter k: Int, workersBefore: Int, workersAfter: Int) throws {
        let straight = try Self.trainer(workers: 2)
        let expected = try straight.run()

        // Stopped as Ctrl-C stops a run: after step k, the schedule still spanning the whole run.
        let first = try Self.trainer(workers: workersBefore)
        let partial = try first.run { $0.step == k ? .stop : .proceed }
        #expect(partial.interrupted && partial.state.step == k)
        let directory = try TemporaryDirectory()
        let path = directory.path("ckpt.h5")
        try ModelFile(network: first.network, config: Self.config,
                      moments: first.engine.moments.map { $0.array() }, steps: partial.state.step,
                      state: partial.state, trainRows: Self.split.rows).write(to: path)

        let checkpoint = try ModelFile.read(from: path)
        let second = try Self.trainer(workers: workersAfter)
        try second.restore(from: checkpoint, path: path)
        let resumed = try second.run(from: try #require(checkpoint.state))

        expectBitIdentical(second.network.parameters.array(), straight.network.parameters.array(),
                           "parameters after resuming at step \(k)")
        for (a, b) in zip(second.engine.moments, straight.engine.moments) {
            expectBitIdentical(a.array(), b.array(), "optimizer moment after resuming at step \(k)")
        }
        #expect(resumed.state.step == expected.state.step)
        #expect(resumed.epochs.map(\.trainLoss) == expected.epochs.map(\.trainLoss), "epoch losses")
    }
}
