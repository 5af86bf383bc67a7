import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// `Trainer.init` refuses data that does not fit the network it is about to make, with one line
/// naming the split; before these checks a label ≥ the output count, or validation rows of
/// another width, were written out of bounds by the step's kernels.
@Suite struct TrainerBoundaryTests {
    static let config = TrainingConfig(hiddenSizes: [4], batchSize: 8, epochs: 1, seed: 1, shards: 2)
    static var mse: TrainingConfig {
        var config = Self.config
        config.loss = .mse
        return config
    }

    @Test func aLabelAtTheOutputCountIsRefused() {
        expectRefusal("mem:/train/y: label 2 at row 2 is out of range: expected 0..<2 (the model has 2 classes)") {
            _ = try Trainer(config: Self.config, train: labelledSplit("mem:/train"), outputs: 2, workers: 1)
        }
        // MSE on labels trains on one-hot rows C wide: the same label does not fit them either.
        expectRefusal("mem:/train/y: label 2 at row 2 is out of range: expected 0..<2 (the model has 2 classes)") {
            _ = try Trainer(config: Self.mse, train: labelledSplit("mem:/train"), outputs: 2, workers: 1)
        }
    }

    @Test func aNegativeLabelIsRefused() {
        var labels = (0..<20).map { Int32($0 % 3) }
        labels[7] = -1
        expectRefusal("mem:/train/y: label -1 at row 7 is out of range; expected class indices 0, 1, 2, …") {
            _ = try Trainer(config: Self.config, train: labelledSplit("mem:/train", labels: labels), outputs: 3, workers: 1)
        }
    }

    @Test func regressionTargetsOfAnotherWidthAreRefused() {
        expectRefusal("mem:/train/y: has 2 targets per row, but the model has 3 outputs") {
            _ = try Trainer(config: Self.mse, train: regressionSplit("mem:/train", width: 2), outputs: 3, workers: 1)
        }
    }

    @Test func validationRowsMustFitTheTrainingRows() {
        let train = labelledSplit("mem:/train")
        expectRefusal("mem:/val/x: has 4 features, but the training data has 3") {
            _ = try Trainer(config: Self.config, train: train, validation: labelledSplit("mem:/val", features: 4),
                            outputs: 3, workers: 1)
        }
        var labels = (0..<10).map { Int32($0 % 3) }
        labels[6] = 5
        expectRefusal("mem:/val/y: label 5 at row 6 is out of range: expected 0..<3 (the model has 3 classes)") {
            _ = try Trainer(config: Self.config, train: train, validation: labelledSplit("mem:/val", rows: 10, labels: labels),
                            outputs: 3, workers: 1)
        }
        expectRefusal("mem:/val/y: holds float targets, but the model is a classifier (cross-entropy); expected integer class labels") {
            _ = try Trainer(config: Self.config, train: train, validation: regressionSplit("mem:/val", width: 3),
                            outputs: 3, workers: 1)
        }
    }

    @Test func aStandardisationOfAnotherWidthIsRefused() {
        var config = Self.config
        config.standardize = true
        expectRefusal("mem:/train/x: has 3 features, but the standardisation given has 2") {
            _ = try Trainer(config: config, data: InMemoryData(labelledSplit("mem:/train"), seed: 1), outputs: 3,
                            workers: 1, scaling: FeatureScaling(mean: [0, 0], std: [1, 1]))
        }
    }

    @Test func arraysThatDoNotHoldTheirRowsAreRefused() {
        let short = DatasetSplit(name: "mem:/train", rows: 20, featureCount: 3, features: .float32([Float](repeating: 0, count: 59)),
                                 targets: .labels([Int32](repeating: 0, count: 20)))
        expectRefusal("mem:/train: holds 59 feature values; expected 20 rows × 3 features = 60") {
            _ = try Trainer(config: Self.config, train: short, outputs: 3, workers: 1)
        }
        let few = DatasetSplit(name: "mem:/train", rows: 20, featureCount: 3, features: .float32([Float](repeating: 0, count: 60)),
                               targets: .labels([Int32](repeating: 0, count: 19)))
        expectRefusal("mem:/train: holds 19 labels; expected one per row, 20") {
            _ = try Trainer(config: Self.config, train: few, outputs: 3, workers: 1)
        }
    }

    @Test func rowsWithoutTargetsOrOutputsAreRefused() {
        let bare = DatasetSplit(name: "mem:/train", rows: 20, featureCount: 3,
                                features: .float32([Float](repeating: 0, count: 60)), targets: .none)
        expectRefusal("mem:/train: has no targets (y); expected class labels or float targets") {
            _ = try Trainer(config: Self.mse, train: bare, outputs: 3, workers: 1)
        }
        expectRefusal("mem:/train: was given 0 outputs to train; expected at least 1 class or target") {
            _ = try Trainer(config: Self.config, train: labelledSplit("mem:/train"), outputs: 0, workers: 1)
        }
    }

    /// A streamed split's labels are known from the one pass over y that opening it makes.
    @Test func aStreamedLabelAtTheOutputCountIsRefused() throws {
        let fixture = try StreamFixture(rows: 40, features: 3, classes: 3)
        let split = try fixture.streamed()
        let plan = StreamPlan(blocks: StreamPlan.blocks(rows: 0..<split.rows, blockRows: 16), windowBlocks: 2,
                              seed: 1, shuffled: true)
        withExtendedLifetime(fixture) {
            expectRefusal("\(fixture.path):/train/y: label 2 is out of range: expected 0..<2 (the model has 2 classes)") {
                _ = try Trainer(config: Self.config, data: try StreamedData(split, plan: plan, prefetch: 1), outputs: 2,
                                workers: 1)
            }
        }
    }
}

extension TrainerBoundaryTests {
    /// A checkpoint made in memory may carry a standardisation of any width; restoring it would
    /// hand the step a scaling that reads past each row.
    @Test func restoringAStandardisationOfAnotherWidthIsRefused() throws {
        var config = Self.config
        config.standardize = true
        let trainer = try Trainer(config: config, train: labelledSplit("mem:/train"), outputs: 3, workers: 1)
        let saved = trainer.network.copy()
        saved.featureScaling = FeatureScaling(mean: [0, 0], std: [1, 1])
        expectRefusal("network 3-4-3: standardises 2 features, but takes 3 inputs") {
            try trainer.restore(from: ModelFile(network: saved, config: config,
                                                moments: trainer.engine.moments.map { $0.array() }), path: "memory")
        }
    }
}
