import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// `--drop-last` (`TrainingConfig.dropLast`): each epoch's last batch, when partial, is skipped,
/// as PyTorch's `DataLoader(drop_last=True)` does — ⌊rows / B⌋ steps an epoch, the rows trained
/// on the epoch's order less its tail — and the run keeps its contracts: any worker count gives
/// the same bits, and a run resumed mid-epoch gives the bits of one straight through.
struct DropLastTests {
    /// 150 rows in batches of 32: 4 whole batches (128 rows) and a partial one of 22.
    static let split = makeClassificationSplit(rows: 150, features: 10, classes: 4, seed: 31)

    static func config(dropLast: Bool = true, batchSize: Int = 32) -> TrainingConfig {
        TrainingConfig(hiddenSizes: [16, 12], optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
                       schedule: .cosine(warmupSteps: 3, minimum: 1e-4), batchSize: batchSize, dropLast: dropLast,
                       epochs: 3, dropout: 0.25, seed: 5, shards: 4)
    }

    static func trainer(dropLast: Bool = true, workers: Int = 2) throws -> Trainer {
        try Trainer(config: config(dropLast: dropLast), train: split, outputs: 4, workers: workers)
    }

    struct Steps: Sendable { var rows: Int, batchSize: Int, dropLast: Bool, steps: Int }

    /// ⌈rows / B⌉ without, ⌊rows / B⌋ with; the same when B divides the rows.
    @Test(arguments: [
        Steps(rows: 150, batchSize: 32, dropLast: false, steps: 5), Steps(rows: 150, batchSize: 32, dropLast: true, steps: 4),
        Steps(rows: 128, batchSize: 32, dropLast: false, steps: 4), Steps(rows: 128, batchSize: 32, dropLast: true, steps: 4),
        Steps(rows: 10_000, batchSize: 128, dropLast: false, steps: 79), Steps(rows: 10_000, batchSize: 128, dropLast: true, steps: 78),
        Steps(rows: 31, batchSize: 32, dropLast: true, steps: 0), Steps(rows: 31, batchSize: 32, dropLast: false, steps: 1),
    ])
    func stepsPerEpoch(_ c: Steps) {
        var config = Self.config(dropLast: c.dropLast, batchSize: c.batchSize)
        config.epochs = 1
        #expect(config.stepsPerEpoch(rows: c.rows) == c.steps)
    }

    @Test func aRunTakesWholeBatchesOnly() throws {
        let dropping = try Self.trainer(), keeping = try Self.trainer(dropLast: false)
        #expect(dropping.stepsPerEpoch == 4 && dropping.totalSteps == 12)
        #expect(keeping.stepsPerEpoch == 5 && keeping.totalSteps == 15)
        let result = try dropping.run()
        #expect(result.steps == 12 && result.epochs.count == 3)
        #expect(result.samplesTrained == 3 * 128)
        #expect(result.epochs.map(\.steps) == [4, 8, 12])
    }

    /// The rows each epoch trains on are its permutation less the tail that fills no whole batch:
    /// the rows PyTorch's floor batching of the same order would skip.
    @Test func theDroppedRowsAreTheEpochOrdersTail() throws {
        let recording = RecordingData(InMemoryData(Self.split, seed: Self.config().seed))
        let trainer = try Trainer(config: Self.config(), data: recording, outputs: 4, workers: 2)
        _ = try trainer.run()
        #expect(recording.batches.map(\.index) == Array(repeating: Array(0..<4), count: 3).flatMap { $0 })
        for epoch in 0..<3 {
            let order = Shuffle.permutation(count: 150, seed: Self.config().seed, epoch: epoch)
            let trained = recording.batches.filter { $0.epoch == epoch }.flatMap(\.rows)
            #expect(trained == Array(order[..<128]), "epoch \(epoch): the first 128 rows of its order, in order")
            #expect(Set(0..<150).subtracting(trained) == Set(order[128...]), "epoch \(epoch): the 22 dropped rows")
        }
        #expect(recording.started == [.init(epoch: 0, index: 0, dropLast: true)])
    }

    @Test func workerCountsGiveTheSameBits() throws {
        let one = try Self.trainer(workers: 1), two = try Self.trainer(workers: 2), three = try Self.trainer(workers: 3)
        let losses = try [one, two, three].map { try $0.run().epochs.map(\.trainLoss) }
        expectBitIdentical(two.network.parameters.array(), one.network.parameters.array(), "2 workers vs 1")
        expectBitIdentical(three.network.parameters.array(), one.network.parameters.array(), "3 workers vs 1")
        #expect(losses[1] == losses[0] && losses[2] == losses[0])
        let keeping = try Self.trainer(dropLast: false)
        _ = try keeping.run()
        #expect(keeping.network.parameters.array() != one.network.parameters.array(), "the flag changes the run")
    }

    /// Stopped after k steps (mid-epoch, at an epoch's end, in the last epoch), written, read
    /// back and resumed on another worker count: the bits of the straight run.
    @Test(arguments: [(3, 1, 2), (4, 2, 1), (9, 3, 2)])
    func resumingMidEpochGivesTheSameBits(stopAfter k: Int, workersBefore: Int, workersAfter: Int) throws {
        let straight = try Self.trainer()
        let expected = try straight.run()
        let first = try Self.trainer(workers: workersBefore)
        let partial = try first.run { $0.step == k ? .stop : .proceed }
        #expect(partial.interrupted && partial.state.step == k)
        let directory = try TemporaryDirectory()
        let path = directory.path("ckpt.h5")
        try ModelFile(network: first.network, config: Self.config(), moments: first.engine.moments.map { $0.array() },
                      steps: k, state: partial.state, trainRows: Self.split.rows).write(to: path)

        let checkpoint = try ModelFile.read(from: path)
        #expect(checkpoint.config?.dropLast == true)
        let second = try Self.trainer(workers: workersAfter)
        try second.restore(from: checkpoint, path: path)
        let resumed = try second.run(from: try #require(checkpoint.state))
        expectBitIdentical(second.network.parameters.array(), straight.network.parameters.array(),
                           "parameters after resuming at step \(k)")
        for (a, b) in zip(second.engine.moments, straight.engine.moments) {
            expectBitIdentical(a.array(), b.array(), "optimizer moment after resuming at step \(k)")
        }
        #expect(resumed.state.step == 12)
        #expect(resumed.epochs.map(\.trainLoss) == expected.epochs.map(\.trainLoss), "epoch losses")
    }

    /// A checkpoint's loader position is checked against its own config's epochs: batch 4 of an
    /// epoch exists without drop-last (5 batches), not with it (4).
    @Test func aCheckpointsPositionIsCheckedWithItsDropLast() throws {
        let trainer = try Self.trainer(dropLast: false)
        let partial = try trainer.run { $0.step == 4 ? .stop : .proceed }
        #expect(partial.state.batchInEpoch == 4)
        let directory = try TemporaryDirectory()
        let path = directory.path("ckpt.h5")
        try ModelFile(network: trainer.network, config: Self.config(), moments: trainer.engine.moments.map { $0.array() },
                      steps: 4, state: partial.state, trainRows: Self.split.rows).write(to: path)
        #expect(throws: SpindleError.invalidModel(
            path: path, problem: "its training_state batchInEpoch 4 is out of range: an epoch has 4 batches, so expected 0..<4")) {
            _ = try ModelFile.read(from: path)
        }
    }
}

/// A training source that records what the trainer asks of the one it wraps.
final class RecordingData: TrainingData {
    struct Start: Equatable { var epoch: Int, index: Int, dropLast: Bool }
    struct Taken { var epoch: Int, index: Int, rows: [Int] }

    let inner: InMemoryData
    private(set) var started: [Start] = []
    /// Every batch taken, with the split's rows it holds in batch order.
    private(set) var batches: [Taken] = []

    init(_ inner: InMemoryData) { self.inner = inner }

    var name: String { inner.name }
    var rows: Int { inner.rows }
    var featureCount: Int { inner.featureCount }
    var hasLabels: Bool { inner.hasLabels }

    func start(epoch: Int, index: Int, batchSize: Int, epochs: Int, dropLast: Bool) throws {
        started.append(Start(epoch: epoch, index: index, dropLast: dropLast))
        inner.start(epoch: epoch, index: index, batchSize: batchSize, epochs: epochs, dropLast: dropLast)
    }

    func batch(epoch: Int, index: Int, batchSize: Int) throws -> Batch {
        let batch = inner.batch(epoch: epoch, index: index, batchSize: batchSize)
        batches.append(Taken(epoch: epoch, index: index, rows: batch.parts.flatMap(\.indices)))
        return batch
    }

    func finished(epoch: Int, index: Int, batchSize: Int) throws -> Double {
        inner.finished(epoch: epoch, index: index, batchSize: batchSize)
    }

    func attach(_ pool: WorkerPool) { inner.attach(pool) }
    func stop() { inner.stop() }
}
