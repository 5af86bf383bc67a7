import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// The new layer kinds (gelu, silu, leaky_relu, layernorm, batchnorm, residual blocks) checked
/// by central finite differences of the engine's own loss, and for the same bits with any
/// worker count. Same tolerance reasoning as GradientCheckTests: float32 central differences
/// with h = 1e-2 carry noise ~1e-5 and truncation ~2e-5; a wrong factor or a missing skip
/// gradient is ≥ 30 % off.
struct DeepLayerGradientTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String
        var testDescription: String { model }
    }

    /// Each kind on its own (fused into a dense layer, and as a layer of its own after dropout),
    /// then blocks: a norm inside a block, blocks in blocks, a block first in the model.
    static let cases: [Case] = [
        "dense(4),gelu,dense(4),silu,dense(4),leaky_relu(0.2)",
        "dropout(0.2),gelu,dense(4),dropout(0.3),silu,dense(4),dropout(0.1),leaky_relu",
        "dense(4),gelu,dropout(0.3),dense(4),silu,dropout(0.3)",
        "dense(4),layernorm,tanh,layernorm",
        "layernorm,dense(4),sigmoid",
        "dense(4),batchnorm,tanh,dense(4),batchnorm",
        "batchnorm,dense(4),silu",
        "dense(4),residual(layernorm,dense(4),gelu),residual(batchnorm,dense(4),tanh)",
        "residual(dense(5),silu),residual(layernorm,dense(3),sigmoid,dense(5),residual(batchnorm,dense(5),gelu))",
    ].map { Case(model: $0) }

    @Test(arguments: cases)
    func engineMatchesFiniteDifferences(_ c: Case) throws {
        let spec = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse(c.model), outputCount: 3)
        try spec.validateShapes()
        let fresh = Network(spec: spec, seed: 3)
        var random = SplitMix64(seed: 21)
        // Random values everywhere (norms' weights away from 1, biases away from 0), but
        // batchnorm's running statistics as initialised: they do not enter a training step.
        var parameters = random.floats(spec.parameterCountForTests, -0.9, 0.9)
        for group in fresh.layout.groups where group.kind == "batchnorm" {
            for name in ["running_mean", "running_var"] {
                let t = group.tensor(name)!
                for i in t.range { parameters[i] = fresh.parameters[i] }
            }
        }
        expectGradientMatchesFiniteDifferences(Network(spec: spec, parameters: parameters), "∂L/∂θ, \(c.model)")
    }

    /// Batch statistics reduced over feature tiles, blocks' skips: 1, 2, 3 and 5 workers train
    /// the same bits (parameters, running statistics and Adam's moments).
    @Test func batchnormAndBlocksGiveTheSameBitsForAnyWorkerCount() throws {
        let spec = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse(
            "dense(16),batchnorm,relu,dropout(0.2),residual(batchnorm,dense(16),gelu),residual(layernorm,dense(16),silu)"),
            outputCount: 3)
        func train(workers: Int) -> ([Float], [[Float]]) {
            let split = makeClassificationSplit(rows: 90, features: 5, classes: 3, seed: 3)
            let engine = StepEngine(network: Network(spec: spec, seed: 9), optimizer: OptimizerConfig(kind: .adam),
                                    workers: workers, shards: 4, maxBatch: 37, seed: 9)
            for step in 0..<6 {
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

    /// Running statistics are state: no optimizer step or weight decay moves them, only the
    /// batch statistics do; the trained tensors do move.
    @Test func optimizerLeavesRunningStatisticsAlone() throws {
        let spec = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse("batchnorm,dense(4),relu"), outputCount: 3)
        let split = makeClassificationSplit(rows: 8, features: 5, classes: 3, seed: 1)
        let engine = StepEngine(network: Network(spec: spec, seed: 1),
                                optimizer: OptimizerConfig(kind: .adamw, learningRate: 0.1, weightDecay: 0.5),
                                workers: 2, shards: 2, maxBatch: 8, seed: 1)
        let group = engine.network.layout.groups[0]
        #expect(group.name(digits: 2) == "00_batchnorm")
        #expect(group.tensors.map(\.name) == ["weight", "bias", "running_mean", "running_var"])
        engine.step(firstRows(split, 8), step: 0, update: engine.optimizer.scalars(step: 1, learningRate: 0.1))
        let mean = engine.network.values(group.tensor("running_mean")!)
        let variance = engine.network.values(group.tensor("running_var")!)
        // One step from (0, 1) with momentum 0.1: 0.1 · the batch's mean, 0.9 + 0.1 · its
        // unbiased variance — computed here from the rows themselves.
        for f in 0..<5 {
            let column = (0..<8).map { Double(split.row(f: f, $0)) }
            let mu = column.reduce(0, +) / 8
            let unbiased = column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 7
            expectClose(Double(mean[f]), 0.1 * mu, relative: 1e-5, absolute: 1e-6, "running_mean[\(f)]")
            expectClose(Double(variance[f]), 0.9 + 0.1 * unbiased, relative: 1e-5, "running_var[\(f)]")
        }
        #expect(engine.network.values(group.tensor("weight")!) != [Float](repeating: 1, count: 5))
        let moments = engine.moments.map { $0.array() }
        for t in [group.tensor("running_mean")!, group.tensor("running_var")!] {
            #expect(engine.gradients.array()[t.range].allSatisfy { $0 == 0 })
            #expect(moments.allSatisfy { $0[t.range].allSatisfy { $0 == 0 } })
        }
    }
}

extension ModelSpec {
    var parameterCountForTests: Int { ParameterLayout(self).parameterCount }
}

extension DatasetSplit {
    /// Feature `f` of row `r`, for float32 test splits.
    func row(f: Int, _ r: Int) -> Float {
        guard case let .float32(x) = features else { preconditionFailure("test split is not float32") }
        return x[r * featureCount + f]
    }
}
