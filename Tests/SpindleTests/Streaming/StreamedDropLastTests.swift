import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Streaming with drop-last: the loader hands out the whole batches of each epoch's order and
/// never waits on (or reads) a window that holds only the dropped tail, the next epoch starts
/// cleanly, and training keeps its contracts (any worker count, exact resume mid-epoch).
///
/// The fixture: 157 rows in blocks of 16 (9 whole, one of 13), 3 blocks a window, so each epoch
/// has windows of 3, 3, 3 and 1 blocks; batches of 20 take 7 whole batches (140 rows) and drop 17,
/// the whole last window (16 or 13 rows, starting at 141 or 144) and the end of the one before.
/// With a ring of 2 windows, a loader that waited for the last window to be released before the
/// next epoch's first would wait forever.
struct StreamedDropLastTests {
    static let rows = 157, batchSize = 20, steps = 7

    static func streamed(_ fixture: StreamFixture, seed: UInt64 = 3) throws -> StreamedData {
        let split = try fixture.streamed()
        let plan = StreamPlan(blocks: StreamPlan.blocks(rows: 0..<split.rows, blockRows: 16), windowBlocks: 3,
                              seed: seed, shuffled: true)
        return try StreamedData(split, plan: plan, prefetch: 1)
    }

    @Test(arguments: [false, true])
    func batchesAreTheWholeBatchesOfEachEpochsOrder(deflated: Bool) throws {
        let fixture = try StreamFixture(rows: Self.rows, features: 5, gzip: deflated ? 1 : nil)
        let data = try Self.streamed(fixture)
        if deflated { data.attach(WorkerPool(count: 2)) }
        try data.start(epoch: 0, index: 0, batchSize: Self.batchSize, epochs: 3, dropLast: true)
        defer { data.stop() }
        for epoch in 0..<3 {
            let plan = data.plan.epoch(epoch)
            #expect(plan.windows.count == 4 && plan.starts[3] > Self.steps * Self.batchSize,
                    "epoch \(epoch): the last window holds dropped rows only")
            let order = plan.fileRows()
            for index in 0..<Self.steps {
                let batch = try data.batch(epoch: epoch, index: index, batchSize: Self.batchSize)
                let rows = Array(order[(index * Self.batchSize)..<((index + 1) * Self.batchSize)])
                let want = try gathered(Batch(split: fixture.split, indices: rows[...]), features: 5)
                let (x, y) = try gathered(batch, features: 5)
                #expect(x == want.x && y == want.y, "epoch \(epoch) batch \(index)")
                _ = try data.finished(epoch: epoch, index: index, batchSize: Self.batchSize)
            }
        }
    }

    /// A loader started mid-epoch (a resumed run) hands out what one started at the beginning does.
    @Test func resumingMidEpochDeliversTheSameBatches() throws {
        let fixture = try StreamFixture(rows: Self.rows, features: 5)
        let whole = try Self.streamed(fixture), resumed = try Self.streamed(fixture)
        try whole.start(epoch: 0, index: 0, batchSize: Self.batchSize, epochs: 2, dropLast: true)
        try resumed.start(epoch: 0, index: 6, batchSize: Self.batchSize, epochs: 2, dropLast: true)
        defer { whole.stop(); resumed.stop() }
        var expected: [[Float]] = []
        for epoch in 0..<2 {
            for index in 0..<Self.steps {
                let batch = try whole.batch(epoch: epoch, index: index, batchSize: Self.batchSize)
                if epoch == 1 || index >= 6 { expected.append(try gathered(batch, features: 5).x) }
                _ = try whole.finished(epoch: epoch, index: index, batchSize: Self.batchSize)
            }
        }
        var got: [[Float]] = []
        for (epoch, index) in [(0, 6)] + (0..<Self.steps).map({ (1, $0) }) {
            let batch = try resumed.batch(epoch: epoch, index: index, batchSize: Self.batchSize)
            got.append(try gathered(batch, features: 5).x)
            _ = try resumed.finished(epoch: epoch, index: index, batchSize: Self.batchSize)
        }
        #expect(got == expected)
    }

    static let config = TrainingConfig(
        hiddenSizes: [12], optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2), batchSize: batchSize,
        dropLast: true, epochs: 3, dropout: 0.2, seed: 4, shards: 3, standardize: true)

    static func trainer(_ fixture: StreamFixture, workers: Int) throws -> Trainer {
        let split = try fixture.streamed()
        return try Trainer(config: config, data: try streamed(fixture, seed: config.seed), outputs: 3,
                           workers: workers, statistics: try StreamedRows(split))
    }

    @Test func workerCountsAgreeBitForBit() throws {
        let fixture = try StreamFixture(rows: Self.rows, features: 6)
        let one = try Self.trainer(fixture, workers: 1), two = try Self.trainer(fixture, workers: 2)
        #expect(one.stepsPerEpoch == Self.steps)
        let a = try one.run(), b = try two.run()
        #expect(a.steps == 3 * Self.steps && a.samplesTrained == 3 * Self.steps * Self.batchSize)
        #expect(one.network.parameters.array() == two.network.parameters.array())
        #expect(a.epochs.map(\.trainLoss) == b.epochs.map(\.trainLoss))
    }

    /// Stopped mid-epoch, at an epoch's end, and in the next epoch, resumed on another worker count.
    @Test(arguments: [3, 7, 13])
    func resumingMidEpochGivesTheSameBits(stopAfter k: Int) throws {
        let fixture = try StreamFixture(rows: Self.rows, features: 6)
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
}
