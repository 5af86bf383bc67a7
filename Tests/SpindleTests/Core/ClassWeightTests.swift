import Foundation
@testable import Spindle
import Testing

/// `--class-weights`: the weighted mean loss of PyTorch's `CrossEntropyLoss(weight=)` and its
/// gradient (against Reference/class_weights.json, made by make_class_weights.py), balanced
/// weights as scikit-learn computes them, the same bits for any worker count, and the settings
/// a config refuses.
@Suite struct ClassWeightTests {
    struct Reference: Decodable {
        let x: [Float], labels: [Int32], weight: [Float], bias: [Float], class_weights: [Double]
        let loss: Double, weight_grad: [Double], bias_grad: [Double]
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/class_weights.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    /// A linear layer (4 features, 3 classes) on 10 rows: the loss and dW, db match PyTorch's in
    /// float64 to float32 rounding (a few operations a value: 1e-5 relative, and an absolute floor
    /// of 1e-6 for entries near 0), on 1 and 3 workers, with the same bits on both.
    @Test func theWeightedMeanLossAndGradientMatchPyTorch() throws {
        let r = try Self.reference()
        let rows = r.labels.count
        let split = DatasetSplit(name: "class_weights.json", rows: rows, featureCount: 4,
                                 features: .float32(r.x), targets: .labels(r.labels))
        var gradients: [[Float]] = []
        for workers in [1, 3] {
            let spec = ModelSpec(inputCount: 4, hiddenSizes: [], outputCount: 3, activation: .relu, loss: .crossEntropy)
            let network = Network(spec: spec, parameters: r.weight + r.bias)
            let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .sgd), workers: workers, shards: 3,
                                    maxBatch: rows, seed: 0, classWeights: r.class_weights)
            let result = engine.step(firstRows(split, rows), step: 0, update: nil)
            expectClose(result.meanLoss, r.loss, relative: 1e-6, "weighted mean loss")
            #expect(abs(result.weightSum - r.labels.reduce(0) { $0 + r.class_weights[Int($1)] }) < 1e-6)
            expectClose(engine.gradients.array(), r.weight_grad + r.bias_grad, relative: 1e-5, absolute: 1e-6,
                        "dW, db with \(workers) workers")
            gradients.append(engine.gradients.array())
        }
        expectBitIdentical(gradients[1], gradients[0], "3 workers against 1")
    }

    /// Weights all 1 are the plain mean: the same bits as no weights.
    @Test func weightsOfOneAreThePlainMean() throws {
        let split = makeClassificationSplit(rows: 24, features: 5, classes: 3, seed: 3)
        func gradient(_ weights: [Double]?) -> [Float] {
            let spec = ModelSpec(inputCount: 5, hiddenSizes: [6], outputCount: 3, activation: .tanh, loss: .crossEntropy)
            let engine = StepEngine(network: Network(spec: spec, seed: 2), optimizer: OptimizerConfig(kind: .sgd),
                                    workers: 2, shards: 2, maxBatch: 24, seed: 0, classWeights: weights)
            engine.step(firstRows(split, 24), step: 0, update: nil)
            return engine.gradients.array()
        }
        // 1/Σw = 1/24 equals 1/B, and each row's scale 1/24 · 1 is exact.
        expectBitIdentical(gradient([1, 1, 1]), gradient(nil), "weights of one")
    }

    /// scikit-learn: compute_class_weight("balanced", classes=[0, 1], y) = n / (K · bincount(y));
    /// a class with no rows gets 0 and does not count in K.
    @Test func balancedWeightsAreScikitLearns() {
        #expect(ClassWeights.balanced(counts: [90, 10]) == [100.0 / 180, 100.0 / 20])
        #expect(ClassWeights.balanced(counts: [6, 2, 0]) == [8.0 / 12, 8.0 / 4, 0])
    }

    /// A run with balanced weights: the config records the numbers, and 1 or 3 workers train the
    /// same bits; the epoch's training loss is the weighted mean.
    @Test func balancedWeightsTrainTheSameBitsOnAnyWorkerCount() throws {
        var split = makeClassificationSplit(rows: 200, features: 6, classes: 3, seed: 9)
        // Imbalanced: class 2 only in every fifth row.
        guard case .labels(var labels) = split.targets, case .float32(let x) = split.features else { return }
        for r in labels.indices where labels[r] == 2 && r % 5 != 0 { labels[r] = Int32(r % 2) }
        split = DatasetSplit(name: split.name, rows: 200, featureCount: 6, features: .float32(x), targets: .labels(labels))
        var results: [[Float]] = []
        for workers in [1, 3] {
            let config = TrainingConfig(hiddenSizes: [8], batchSize: 32, epochs: 2, seed: 4, shards: 3,
                                        classWeights: .balanced)
            let trainer = try Trainer(config: config, train: split, outputs: 3, workers: workers)
            let counts = (0..<3).map { c in labels.filter { $0 == Int32(c) }.count }
            #expect(trainer.config.classWeights == .given(ClassWeights.balanced(counts: counts)))
            let result = try trainer.run()
            #expect(result.epochs.allSatisfy { $0.trainLoss.isFinite && $0.trainLoss > 0 })
            #expect(result.state.epochWeightSum == nil, "reset at the epoch's end")
            results.append(trainer.network.parameters.array())
        }
        expectBitIdentical(results[1], results[0], "3 workers against 1")
    }

    @Test(arguments: [
        ("1,2,3", "invalid --class-weights '1,2,3': expected 2 weights, one per class (found 3), or 'balanced'"),
        ("1,-2", "invalid --class-weights '1,-2': expected finite weights >= 0 (found -2.0)"),
        ("0,0", "invalid --class-weights '0,0': expected at least one weight > 0"),
    ])
    func badWeightsAreRefusedByName(_ text: String, _ message: String) throws {
        let split = makeClassificationSplit(rows: 20, features: 3, classes: 2, seed: 1)
        let config = TrainingConfig(hiddenSizes: [4], epochs: 1, classWeights: try ClassWeights(parsing: text))
        #expect { try Trainer(config: config, train: split, outputs: 2, workers: 1) } throws: { error in
            "\(error)" == message
        }
    }

    /// Like every other setting, weights and early stopping must stay as they were on resume.
    @Test func aResumedRunMustKeepItsWeightsAndEarlyStopping() {
        let saved = TrainingConfig(classWeights: .given([1, 2]), earlyStopping: EarlyStoppingConfig(patience: 3))
        var now = saved
        now.classWeights = .given([1, 3])
        now.earlyStopping?.monitor = .valAccuracy
        #expect(ResumePoint.differences(saved, now).map(\.description) == [
            "classWeights [1,2] → [1,3]",
            #"earlyStopping {"monitor":"val_loss","patience":3} → {"monitor":"val_accuracy","patience":3}"#,
        ])
    }

    @Test func weightsNeedCrossEntropyAndNumbers() throws {
        let config = TrainingConfig(loss: .mse, classWeights: .given([1, 2]))
        #expect { try config.validate() } throws: { error in
            "\(error)" == "invalid --class-weights '1,2': expected --loss cross-entropy (class weights weight each row's class)"
        }
        #expect { try ClassWeights(parsing: "1,x") } throws: { error in
            "\(error)" == "invalid --class-weights '1,x': expected 'balanced' or one number per class, e.g. 1,4.5 ('x' is not a number)"
        }
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: Data(#"{"classWeights": "balanced"}"#.utf8))
        #expect(decoded.classWeights == .balanced)
        let old = try JSONDecoder().decode(TrainingConfig.self, from: Data(#"{"seed": 3}"#.utf8))
        #expect(old.classWeights == nil && old.earlyStopping == nil, "configs from before the settings decode")
    }
}
