import Foundation
import Spindle
import Testing

/// What `--drop-last` changes in the checks before training, and how configs record it: a
/// batchnorm model whose partial last batch has 1 row trains with it (that batch is dropped) and
/// is refused without it (the message says to add it); a batch larger than the training rows
/// leaves no step with it and is refused; configs and checkpoints written before the setting
/// existed read it as off.
struct DropLastConfigTests {
    static let split = makeClassificationSplit(rows: 150, features: 10, classes: 4, seed: 31)

    static func batchNorm(batchSize: Int, dropLast: Bool) throws -> TrainingConfig {
        TrainingConfig(model: try ModelSpecParser.parse("dense(16),batchnorm,relu"),
                       optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2), batchSize: batchSize,
                       dropLast: dropLast, epochs: 2, seed: 5, shards: 2)
    }

    /// 150 rows in batches of 149: the last batch of each epoch has 1 row.
    @Test func batchNormWithALastBatchOfOneRowTrainsWithDropLast() throws {
        #expect(throws: SpindleError.invalidConfig(
            setting: "model", found: "batchnorm",
            expected: "training batches of at least 2 rows, but the last batch of each epoch (150 rows, --batch-size 149) " +
                "has 1 row; a batch's variance needs two (change --batch-size, add --drop-last to skip that batch, " +
                "or use layernorm)")) {
            try Trainer(config: try Self.batchNorm(batchSize: 149, dropLast: false), train: Self.split, outputs: 4, workers: 1)
        }
        let trainer = try Trainer(config: try Self.batchNorm(batchSize: 149, dropLast: true), train: Self.split,
                                  outputs: 4, workers: 2)
        let result = try trainer.run()
        #expect(result.steps == 2 && result.samplesTrained == 2 * 149)
        #expect(result.epochs.allSatisfy { $0.trainLoss.isFinite })
        #expect(trainer.network.isFinite)
    }

    /// Every batch of --batch-size 1 has 1 row: dropping the last one does not help.
    @Test func batchNormWithBatchesOfOneRowIsRefusedEvenWithDropLast() throws {
        #expect(throws: SpindleError.invalidConfig(
            setting: "model", found: "batchnorm",
            expected: "training batches of at least 2 rows, but --batch-size 1 has 1 row; a batch's variance needs two " +
                "(change --batch-size, or use layernorm)")) {
            try Trainer(config: try Self.batchNorm(batchSize: 1, dropLast: true), train: Self.split, outputs: 4, workers: 1)
        }
    }

    @Test func aBatchLargerThanTheTrainingRowsIsRefusedWithDropLast() throws {
        var config = TrainingConfig(hiddenSizes: [8], batchSize: 151, dropLast: true, epochs: 1, shards: 2)
        #expect(throws: SpindleError.invalidConfig(
            setting: "batch-size", found: "151",
            expected: "at most the 150 training rows of test:/classes with --drop-last, which drops the partial batch " +
                "and would leave 0 steps an epoch (lower --batch-size, or leave out --drop-last)")) {
            try Trainer(config: config, train: Self.split, outputs: 4, workers: 1)
        }
        // A batch of exactly the training rows is one whole batch an epoch.
        config.batchSize = 150
        #expect(try Trainer(config: config, train: Self.split, outputs: 4, workers: 1).run().steps == 1)
        // Without drop-last the one partial batch is trained on, as before.
        config.batchSize = 151
        config.dropLast = false
        #expect(try Trainer(config: config, train: Self.split, outputs: 4, workers: 1).run().steps == 1)
    }

    /// Written only when on, so that a config without it reads (and compares on resume) as
    /// before; read as off when absent, as every config and checkpoint written before it is.
    @Test func configsRecordItOnlyWhenOn() throws {
        let off = TrainingConfig(hiddenSizes: [8])
        let offJSON = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(off)) as? [String: Any])
        #expect(offJSON["dropLast"] == nil)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(off)).dropLast == false)

        var on = off
        on.dropLast = true
        let onJSON = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(on)) as? [String: Any])
        #expect(onJSON["dropLast"] as? Bool == true)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(on)) == on)

        let older = #"{"hiddenSizes": [16], "activation": "relu", "dropout": 0.1, "batchSize": 64, "epochs": 2, "seed": 3}"#
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: Data(older.utf8)).dropLast == false)
    }
}
