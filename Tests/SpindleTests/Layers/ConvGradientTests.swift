import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// conv, the pools, flatten and the channels-first reordering checked by central finite
/// differences of the engine's own loss (tolerance reasoning: GradientCheckTests), and for the
/// same bits with any worker count.
struct ConvGradientTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String
        var image: ImageShape
        var channelsLast = false
        var testDescription: String { "\(model) on \(image)\(channelsLast ? " channels-last" : "")" }
    }

    /// Each kind, then conv with the activation and dropout fused into it, a conv after a
    /// parameter-free first layer (so its ∂L/∂x is summed back from its patches), and a block.
    /// Smooth activations where a kink could sit within h of a pre-activation.
    static let cases: [Case] = [
        Case(model: "conv(2,3,pad=1),relu,maxpool(2),flatten", image: ImageShape(channels: 1, height: 6, width: 6)),
        Case(model: "conv(3,3,stride=2,pad=1),tanh,avgpool(2,stride=1),flatten", image: ImageShape(channels: 2, height: 5, width: 5)),
        Case(model: "maxpool(2,stride=1),conv(2,2),gelu,dropout(0.3),conv(3,3,pad=1),globalavgpool",
             image: ImageShape(channels: 2, height: 5, width: 4), channelsLast: true),
        Case(model: "conv(2,3),sigmoid,residual(conv(2,3,pad=1),relu),maxpool(2,stride=1),flatten,dense(4),silu",
             image: ImageShape(channels: 1, height: 5, width: 7)),
        Case(model: "avgpool(2),conv(3,2,pad=1),dropout(0.2),silu,flatten", image: ImageShape(channels: 3, height: 4, width: 6)),
        Case(model: "conv(3,3,pad=1),batchnorm,tanh,residual(batchnorm,conv(3,3,pad=1),silu),avgpool(2),flatten",
             image: ImageShape(channels: 2, height: 4, width: 5)),
    ]

    static func spec(_ c: Case) throws -> ModelSpec {
        let spec = ModelSpec(inputCount: c.image.count, layers: try ModelSpecParser.parse(c.model), outputCount: 3,
                             inputShape: c.image, inputChannelsLast: c.channelsLast)
        try spec.validateShapes()
        return spec
    }

    @Test(arguments: cases)
    func engineMatchesFiniteDifferences(_ c: Case) throws {
        let spec = try Self.spec(c)
        var random = SplitMix64(seed: 5)
        var parameters = random.floats(spec.parameterCountForTests, -0.9, 0.9)
        // batchnorm's running statistics as initialised: they do not enter a training step.
        let fresh = Network(spec: spec, seed: 1)
        for group in fresh.layout.groups where group.kind == "batchnorm" {
            for name in ["running_mean", "running_var"] {
                for i in group.tensor(name)!.range { parameters[i] = fresh.parameters[i] }
            }
        }
        expectGradientMatchesFiniteDifferences(Network(spec: spec, parameters: parameters), "∂L/∂θ, \(c)")
    }

    /// Patches kept per image, ∂L/∂patches a few images at a time per worker, dW over all rows and
    /// positions: 1, 2, 3 and 5 workers train the same bits (parameters and Adam's moments).
    @Test func anyWorkerCountGivesTheSameBits() throws {
        let c = Case(model: "conv(4,3,pad=1),relu,dropout(0.2),maxpool(2),conv(6,3),batchnorm,relu,flatten,dense(8),relu",
                     image: ImageShape(channels: 2, height: 8, width: 8))
        let spec = try Self.spec(c)
        func train(workers: Int) -> ([Float], [[Float]]) {
            let split = makeClassificationSplit(rows: 90, features: c.image.count, classes: 3, seed: 3)
            let engine = StepEngine(network: Network(spec: spec, seed: 9), optimizer: OptimizerConfig(kind: .adam),
                                    workers: workers, shards: 4, maxBatch: 37, seed: 9)
            for step in 0..<5 {
                let indices = (0..<37).map { (step * 37 + $0) % 90 }
                engine.step(Batch(split: split, indices: indices[...]), step: step,
                            update: engine.optimizer.scalars(step: step + 1, learningRate: 1e-2))
            }
            return (engine.network.parameters.array(), engine.moments.map { $0.array() })
        }
        let (one, moments) = train(workers: 1)
        for workers in [2, 3, 5] {
            let (other, otherMoments) = train(workers: workers)
            expectBitIdentical(other, one, "parameters, \(workers) vs 1 workers")
            for (a, b) in zip(otherMoments, moments) { expectBitIdentical(a, b, "moments, \(workers) vs 1 workers") }
        }
    }
}
