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

    /// Tolerance: `expectGradientMatchesFiniteDifferences` says why.
    @Test func unfusedLayersMatchFiniteDifferences() {
        let layout = ParameterLayout(Self.spec)
        var random = SplitMix64(seed: 5)
        let parameters = random.floats(layout.parameterCount, -0.9, 0.9)
        expectGradientMatchesFiniteDifferences(Network(spec: Self.spec, parameters: parameters),
                                               "∂L/∂θ through unfused layers")
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
