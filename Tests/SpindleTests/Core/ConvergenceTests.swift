import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Tiny models that must learn: if the gradients, the optimizer or the data path were wrong in
/// a way the exact tests missed, these would not reach their targets.
struct ConvergenceTests {
    /// Two interleaved spirals (one turn each, 100 points per arm, a little noise): not linearly
    /// separable, easy for a 2-32-32-2 ReLU network. Target: > 95 % training accuracy after
    /// 150 epochs of Adam (it reaches 100 %; 95 % leaves room for a different seed's path).
    @Test func spiralIsLearned() throws {
        var random = SplitMix64(seed: 1)
        var x: [Float] = [], y: [Int32] = []
        for arm in 0..<2 {
            for i in 0..<100 {
                let t = Double(i) / 100, angle = 2 * Double.pi * t + Double(arm) * Double.pi
                let radius = 0.1 + 0.9 * t
                x.append(Float(radius * cos(angle)) + 0.02 * random.normal())
                x.append(Float(radius * sin(angle)) + 0.02 * random.normal())
                y.append(Int32(arm))
            }
        }
        let split = DatasetSplit(name: "spiral", rows: 200, featureCount: 2, features: .float32(x),
                                 targets: .labels(y))
        let config = TrainingConfig(hiddenSizes: [32, 32], activation: .relu,
                                    optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
                                    batchSize: 32, epochs: 150, seed: 4)
        let trainer = try Trainer(config: config, train: split, outputs: 2, workers: 2)
        let result = try trainer.run()
        let report = try Evaluator(network: trainer.network, workers: 2, shards: 2).evaluate(split)
        let accuracy = try #require(report.accuracy)
        #expect(accuracy > 0.95, "training accuracy \(accuracy), loss \(report.loss)")
        #expect(result.epochs.last!.trainLoss < result.epochs.first!.trainLoss / 4)
    }

    /// y = A·x + c for 4 inputs and 2 targets (variance ≈ 1.4), learned by a 4-16-2 tanh network
    /// with MSE. Target: mean squared error < 1e-2, i.e. under 1 % of the targets' variance
    /// (a network that learned only the mean would score ≈ 1.4).
    @Test func linearRegressionIsLearned() throws {
        var random = SplitMix64(seed: 2)
        let a = random.floats(8), c: [Float] = [0.5, -0.25]
        let rows = 256
        let x = random.normals(rows * 4)
        var y: [Float] = []
        for r in 0..<rows {
            for t in 0..<2 {
                y.append(c[t] + (0..<4).reduce(Float(0)) { $0 + a[t * 4 + $1] * x[r * 4 + $1] })
            }
        }
        let split = DatasetSplit(name: "linear", rows: rows, featureCount: 4, features: .float32(x),
                                 targets: .values(y, width: 2))
        let config = TrainingConfig(hiddenSizes: [16], activation: .tanh, loss: .mse,
                                    optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
                                    batchSize: 32, epochs: 100, seed: 5)
        let trainer = try Trainer(config: config, train: split, outputs: 2, workers: 2)
        _ = try trainer.run()
        let report = try Evaluator(network: trainer.network, workers: 2, shards: 2).evaluate(split)
        let mse = try #require(report.meanSquaredError)
        #expect(mse < 1e-2, "mean squared error \(mse)")
        // For MSE the loss is the mean squared error (both average over all N·T elements).
        expectClose(report.loss, mse, relative: 1e-5, "loss vs mean squared error")
    }
}
