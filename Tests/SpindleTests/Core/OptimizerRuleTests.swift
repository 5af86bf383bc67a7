import Foundation
import Spindle
import Testing

/// The update rules against PyTorch's formulas (torch.optim.SGD / Adam / AdamW, dampening 0),
/// first as single steps worked out by hand, then as three steps against a Double transcription
/// of torch's code, with weight decay, a gradient scale (clipping) and biases exempt from decay.
struct OptimizerRuleTests {
    /// One `update` call over all of `w` per step; returns w after each step.
    static func run(_ config: OptimizerConfig, w initial: [Float], gradients: [[Float]],
                    decays: Range<Int>, gradientScale: Float = 1) -> [Float] {
        let optimizer = Optimizer(config)
        var w = initial
        var m = [Float](repeating: 0, count: w.count), v = m
        for (t, g) in gradients.enumerated() {
            let s = optimizer.scalars(step: t + 1, learningRate: config.learningRate,
                                      gradientScale: gradientScale)
            for (range, decay) in [(decays, true), (decays.upperBound..<w.count, false)] {
                optimizer.update(range, decays: decay, scalars: s, parameters: &w, gradients: g,
                                 moment1: &m, moment2: &v)
            }
        }
        return w
    }

    /// SGD and momentum from w = 1, g = 0.5, lr = 0.1; values worked out by hand in the comments.
    @Test func singleStepsByHand() {
        func one(_ config: OptimizerConfig, steps: Int = 1) -> Float {
            Self.run(config, w: [1], gradients: Array(repeating: [0.5], count: steps), decays: 0..<1)[0]
        }
        // SGD with λ = 0.01: 1 − 0.1 · (0.5 + 0.01) = 0.949.
        #expect(abs(one(OptimizerConfig(kind: .sgd, learningRate: 0.1, weightDecay: 0.01)) - 0.949) <= 1e-7)
        // Momentum 0.9: buf = 0.5, w = 0.95; then buf = 0.9·0.5 + 0.5 = 0.95, w = 0.95 − 0.095 = 0.855.
        let momentum = OptimizerConfig(kind: .momentum, learningRate: 0.1, momentum: 0.9)
        #expect(abs(one(momentum) - 0.95) <= 1e-7)
        #expect(abs(one(momentum, steps: 2) - 0.855) <= 1e-7)
        // Nesterov: buf = 0.5, step along g + μ·buf = 0.95: w = 1 − 0.095 = 0.905.
        var nesterov = momentum
        nesterov.nesterov = true
        #expect(abs(one(nesterov) - 0.905) <= 1e-7)
    }

    /// Adam at t = 1: m̂ = g and v̂ = g², so the step is lr · g/(|g| + ε) = 0.1 · (1 − 2e-8) and
    /// w = 0.9; AdamW with λ = 0.1 first shrinks w to 1 − 0.1·0.1 = 0.99, then w = 0.89. Float32
    /// holds 0.9 to 3e-8, and torch.optim.Adam in float32 lands on 0.9 exactly; 1e-7 allows for
    /// two roundings. The step must be lr · sign(g) to float32 accuracy: both bias corrections
    /// must divide out exactly the weights (1 − β1), (1 − β2) that built the moments.
    @Test func adamSingleStepByHand() {
        func one(_ config: OptimizerConfig) -> Float {
            Self.run(config, w: [1], gradients: [[0.5]], decays: 0..<1)[0]
        }
        let adam = one(OptimizerConfig(kind: .adam, learningRate: 0.1))
        #expect(abs(adam - 0.9) <= 1e-7, "Adam: \(adam), expected 0.9")
        let adamw = one(OptimizerConfig(kind: .adamw, learningRate: 0.1, weightDecay: 0.1))
        #expect(abs(adamw - 0.89) <= 1e-7, "AdamW: \(adamw), expected 0.89")
    }

    static let configs: [OptimizerConfig] = [
        OptimizerConfig(kind: .sgd, learningRate: 0.1, weightDecay: 0.01),
        OptimizerConfig(kind: .momentum, learningRate: 0.1, weightDecay: 0.01, momentum: 0.9),
        OptimizerConfig(kind: .momentum, learningRate: 0.1, weightDecay: 0.01, momentum: 0.8, nesterov: true),
        OptimizerConfig(kind: .adam, learningRate: 0.01, weightDecay: 0.01),
        OptimizerConfig(kind: .adamw, learningRate: 0.01, weightDecay: 0.1, beta1: 0.8, beta2: 0.99,
                        epsilon: 1e-6),
    ]

    /// Three steps on six scalars: the first four decay (weights), the last two do not (biases).
    /// The 1e-7 gradients make ε's placement visible (inside the root it would dominate), the 0
    /// gradient must leave Adam's parameter still. Tolerance: a few float32 roundings per step
    /// on values ≤ 2: 1e-6 relative plus 1e-7 absolute.
    @Test(arguments: configs, [Float(1), 0.5])
    func threeStepsMatchTorchFormulas(_ config: OptimizerConfig, gradientScale: Float) {
        let w: [Float] = [0.5, -1.25, 2, 0.75, 0.3, -0.1]
        let gradients: [[Float]] = [
            [0.1, -0.2, 0.3, 1e-7, 1e-3, 0],
            [0.05, 0.4, -0.1, 1e-7, -2e-3, 0],
            [-0.2, 0.1, 0.2, 1e-7, 5e-3, 0],
        ]
        let actual = Self.run(config, w: w, gradients: gradients, decays: 0..<4, gradientScale: gradientScale)
        let expected = Self.torch(config, w: w.map(Double.init),
                                  gradients: gradients.map { $0.map { Double($0) * Double(gradientScale) } },
                                  decays: 4)
        expectClose(actual, expected, relative: 1e-6, absolute: 1e-7,
                    "\(config.kind)\(config.nesterov ? " nesterov" : ""), scale \(gradientScale)")
    }

    /// torch.optim's single-tensor step loops, transcribed in Double; element i < `decays` has
    /// weight decay λ, the rest none.
    static func torch(_ c: OptimizerConfig, w initial: [Double], gradients: [[Double]], decays: Int) -> [Double] {
        var w = initial
        var buf: [Double]? = nil
        var m = [Double](repeating: 0, count: w.count), v = m
        for (index, grad) in gradients.enumerated() {
            let t = Double(index + 1)
            var d = grad
            let lambda = (0..<w.count).map { $0 < decays ? c.weightDecay : 0 }
            switch c.kind {
            case .sgd, .momentum:
                for i in w.indices { d[i] += lambda[i] * w[i] }
                if c.kind == .momentum {
                    // First step: buf = d (torch clones the gradient); then buf = μ·buf + d.
                    let b = buf.map { b in zip(b, d).map { c.momentum * $0 + $1 } } ?? d
                    buf = b
                    d = c.nesterov ? zip(d, b).map { $0 + c.momentum * $1 } : b
                }
                for i in w.indices { w[i] -= c.learningRate * d[i] }
            case .adam, .adamw:
                for i in w.indices {
                    if c.kind == .adamw { w[i] *= 1 - c.learningRate * lambda[i] } else { d[i] += lambda[i] * w[i] }
                    m[i] = c.beta1 * m[i] + (1 - c.beta1) * d[i]
                    v[i] = c.beta2 * v[i] + (1 - c.beta2) * d[i] * d[i]
                    let stepSize = c.learningRate / (1 - pow(c.beta1, t))
                    let denominator = v[i].squareRoot() / (1 - pow(c.beta2, t)).squareRoot() + c.epsilon
                    w[i] -= stepSize * m[i] / denominator
                }
            }
        }
        return w
    }

    /// Global-norm clipping in the engine, as torch.nn.utils.clip_grad_norm_: with ‖g‖ the L2
    /// norm of all gradients, a clip norm c < ‖g‖ scales every gradient by c/‖g‖; c ≥ ‖g‖ leaves
    /// the step exactly as without clipping. Plain SGD makes the step visible: Δw = −lr · g · c/‖g‖.
    /// Tolerance: w and Δw are O(1) and O(0.1), each rounded a few times in float32: 2e-7.
    @Test func engineClipsToGlobalNorm() {
        let spec = ModelSpec(inputCount: 5, hiddenSizes: [4, 3], outputCount: 3, activation: .tanh)
        let split = makeClassificationSplit(rows: 6, features: 5, classes: 3, seed: 8)
        let initial = Network(spec: spec, seed: 8).parameters.array()
        let config = OptimizerConfig(kind: .sgd, learningRate: 0.1)
        func engine() -> StepEngine {
            StepEngine(network: Network(spec: spec, parameters: initial), optimizer: config, workers: 3,
                       shards: 3, maxBatch: 6, seed: 8)
        }
        let probe = engine()
        probe.step(firstRows(split, 6), step: 0, update: nil)
        let g = probe.gradients.array()
        let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let scalars = probe.optimizer.scalars(step: 1, learningRate: 0.1)

        let clip = Float(norm / 4)
        let clipped = engine()
        clipped.step(firstRows(split, 6), step: 0, update: scalars, clipNorm: clip)
        let expected = zip(initial, g).map { Double($0) - 0.1 * Double($1) * Double(clip) / norm }
        expectClose(clipped.network.parameters.array(), expected, relative: 0, absolute: 2e-7,
                    "clipped to \(clip) from \(norm)")

        let loose = engine(), plain = engine()
        loose.step(firstRows(split, 6), step: 0, update: scalars, clipNorm: Float(2 * norm))
        plain.step(firstRows(split, 6), step: 0, update: scalars)
        expectBitIdentical(loose.network.parameters.array(), plain.network.parameters.array(),
                           "clip norm above ‖g‖ vs no clipping")
    }
}
