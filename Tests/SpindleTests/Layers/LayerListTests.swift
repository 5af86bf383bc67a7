import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Layer lists that the shorthand cannot spell: layers that run on their own (an activation or
/// dropout no dense layer absorbs, a dense layer without activation), checked by finite
/// differences and for the same bits with any worker count.
struct LayerListTests {
    /// dropout on the inputs; a dense without activation; dropout then an activation (so neither
    /// fuses); two activations in a row.
    static let spec = ModelSpec(
        inputCount: 5,
        layers: try! ModelSpecParser.parse("dropout(0.3),dense(4),dense(4),dropout(0.25),tanh,dense(3),sigmoid,relu"),
        outputCount: 3, loss: .crossEntropy)

    static let h: Float = 1e-2

    /// Same tolerance reasoning as GradientCheckTests: float32 central differences with h = 1e-2
    /// carry noise ~1e-5 and truncation ~2e-5; a wrong factor or mask is ≥ 30 % off.
    @Test func unfusedLayersMatchFiniteDifferences() {
        let layout = ParameterLayout(Self.spec)
        var random = SplitMix64(seed: 5)
        let parameters = random.floats(layout.parameterCount, -0.9, 0.9)
        let rows = 6
        let split = makeClassificationSplit(rows: rows, features: 5, classes: 3, seed: 8)
        let network = Network(spec: Self.spec, parameters: parameters)
        let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .sgd), workers: 2,
                                shards: 3, maxBatch: rows, seed: 4)
        let batch = firstRows(split, rows)
        engine.step(batch, step: 2, update: nil)
        let analytic = engine.gradients.array()
        let numeric = finiteDifferenceGradient(engine, batch, step: 2, h: Self.h)
        expectClose(analytic, numeric, relative: 1e-2, absolute: 5e-4, "∂L/∂θ through unfused layers")
        #expect(analytic.map(abs).max()! > 1e-2)
    }

    @Test func anyWorkerCountGivesTheSameBits() {
        func train(workers: Int) -> [Float] {
            let split = makeClassificationSplit(rows: 90, features: 5, classes: 3, seed: 3)
            let engine = StepEngine(network: Network(spec: Self.spec, seed: 9), optimizer: OptimizerConfig(kind: .adam),
                                    workers: workers, shards: 4, maxBatch: 30, seed: 9)
            for step in 0..<6 {
                let indices = (0..<30).map { (step * 30 + $0) % 90 }
                engine.step(Batch(split: split, indices: indices[...]), step: step,
                            update: engine.optimizer.scalars(step: step + 1, learningRate: 1e-2))
            }
            return engine.network.parameters.array()
        }
        let one = train(workers: 1)
        for workers in [2, 3, 5] { expectBitIdentical(train(workers: workers), one, "\(workers) workers") }
    }

    /// `--layers 64,32 --dropout 0.2` and the same list written out train the same bits (the
    /// issue's check): the config holds the list either way.
    @Test func shorthandAndModelGiveTheSameConfig() throws {
        let shorthand = TrainingConfig(hiddenSizes: [64, 32], activation: .relu, dropout: 0.2)
        let spelled = TrainingConfig(model: try ModelSpecParser.parse("dense(64),relu,dropout(0.2),dense(32),relu,dropout(0.2)"))
        #expect(shorthand == spelled)
    }
}
