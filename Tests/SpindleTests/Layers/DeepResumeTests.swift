import Foundation
import HDF5Kit
import Spindle
import Testing

/// Exact resume (DESIGN.md contract 2) with batchnorm, layernorm and residual blocks: batchnorm's
/// running statistics travel in the model file (`<i>_batchnorm/running_mean`, `running_var`),
/// blocks' layers in groups inside theirs (`<i>_residual/<j>_<kind>`), and a run stopped,
/// written, read back and resumed on another worker count has the bits of one straight run.
struct DeepResumeTests {
    static let split = makeClassificationSplit(rows: 150, features: 10, classes: 4, seed: 31)
    static let model = "dense(16),batchnorm,relu,residual(layernorm,dense(16),gelu),residual(batchnorm,dense(16),silu)"

    static func config(batchSize: Int = 32) throws -> TrainingConfig {
        TrainingConfig(model: try ModelSpecParser.parse(model),
                       optimizer: OptimizerConfig(kind: .adamw, learningRate: 1e-2, weightDecay: 0.01),
                       schedule: .cosine(warmupSteps: 3, minimum: 1e-4), batchSize: batchSize, epochs: 3,
                       seed: 5, shards: 4)
    }

    /// 150 rows in batches of 32: 5 steps an epoch (the last of 22 rows), 15 in all.
    @Test(arguments: [(7, 1, 3), (10, 2, 1)])
    func resumedRunHasTheSameBits(stopAfter k: Int, workersBefore: Int, workersAfter: Int) throws {
        let config = try Self.config()
        let straight = try Trainer(config: config, train: Self.split, outputs: 4, workers: 2)
        let expected = try straight.run()

        let first = try Trainer(config: config, train: Self.split, outputs: 4, workers: workersBefore)
        let partial = try first.run { $0.step == k ? .stop : .proceed }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deep-resume-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ckpt.h5"
        try ModelFile(network: first.network, config: config,
                      moments: first.engine.moments.map { $0.array() }, steps: partial.state.step,
                      state: partial.state, trainRows: Self.split.rows).write(to: path)

        // The layout h5py sees: PyTorch's state_dict names, nested as its keys are.
        let file = try H5File.open(path, mode: .readOnly)
        for name in ["00_dense/weight", "01_batchnorm/running_mean", "01_batchnorm/running_var",
                     "03_residual/00_layernorm/weight", "03_residual/01_dense/bias",
                     "04_residual/00_batchnorm/running_var", "05_dense/weight"] {
            #expect(file.exists("model/\(name)"), "/model/\(name)")
        }
        let saved: [Float] = try file.openDataset("model/01_batchnorm/running_var").readAll()
        let group = first.network.layout.groups[1]
        #expect(saved == first.network.values(group.tensor("running_var")!))
        #expect(saved != [Float](repeating: 1, count: 16), "the running variance has moved")

        let checkpoint = try ModelFile.read(from: path)
        let second = try Trainer(config: config, train: Self.split, outputs: 4, workers: workersAfter)
        try second.restore(from: checkpoint, path: path)
        let resumed = try second.run(from: try #require(checkpoint.state))
        expectBitIdentical(second.network.parameters.array(), straight.network.parameters.array(),
                           "parameters and running statistics after resuming at step \(k)")
        for (a, b) in zip(second.engine.moments, straight.engine.moments) {
            expectBitIdentical(a.array(), b.array(), "optimizer moment after resuming at step \(k)")
        }
        #expect(resumed.epochs.map(\.trainLoss) == expected.epochs.map(\.trainLoss), "epoch losses")
        #expect(try second.evaluate(Self.split) == straight.evaluate(Self.split), "evaluation on running statistics")
    }

    /// A training batch of one row has no variance: refused before training, naming batchnorm.
    @Test func batchOfOneRowIsRefused() throws {
        #expect(throws: SpindleError.invalidConfig(
            setting: "model", found: "batchnorm",
            expected: "training batches of at least 2 rows, but --batch-size 1 has 1 row; a batch's variance needs two " +
                "(change --batch-size, or use layernorm)")) {
            try Trainer(config: try Self.config(batchSize: 1), train: Self.split, outputs: 4, workers: 1)
        }
        #expect(throws: SpindleError.invalidConfig(
            setting: "model", found: "batchnorm",
            expected: "training batches of at least 2 rows, but the last batch of each epoch (150 rows, --batch-size 149) " +
                "has 1 row; a batch's variance needs two (change --batch-size, add --drop-last to skip that batch, " +
                "or use layernorm)")) {
            try Trainer(config: try Self.config(batchSize: 149), train: Self.split, outputs: 4, workers: 1)
        }
    }

    /// A residual body that changes the width is refused when the model meets its data.
    @Test func widthChangingBlockIsRefused() throws {
        let config = TrainingConfig(model: try ModelSpecParser.parse("dense(16),residual(layernorm,dense(8))"))
        #expect(throws: SpindleError.invalidConfig(
            setting: "model", found: "residual(layernorm,dense(8))",
            expected: "a body that keeps its input's width 16 (x + body(x)); this one ends at 8")) {
            try Trainer(config: config, train: Self.split, outputs: 4, workers: 1)
        }
    }
}
