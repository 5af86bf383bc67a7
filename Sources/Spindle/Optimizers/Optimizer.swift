import Foundation

/// Applies one optimizer step to a contiguous range of the flat parameter buffer.
///
/// Every rule is elementwise, so updating slices on different workers gives the same bits as one
/// pass over everything; the coordinator only supplies per-step scalars (`StepScalars`).
public struct Optimizer: Sendable {
    public let config: OptimizerConfig

    public init(_ config: OptimizerConfig) { self.config = config }

    /// The per-step constants every slice needs.
    public struct StepScalars: Sendable {
        /// The scheduled learning rate for this step.
        public var learningRate: Float
        /// Multiplier applied to every gradient first (global-norm clipping; 1 when not clipping).
        public var gradientScale: Float
        /// Adam: lr / (1 − β1^t), the bias-corrected step size.
        var adamStepSize: Float = 0
        /// Adam: 1 / sqrt(1 − β2^t), the second moment's bias correction.
        var adamRootCorrection: Float = 0
    }

    /// Scalars for step number `t` (1-based, as Adam's bias correction counts).
    public func scalars(step t: Int, learningRate: Double, gradientScale: Float = 1) -> StepScalars {
        var s = StepScalars(learningRate: Float(learningRate), gradientScale: gradientScale)
        if config.kind == .adam || config.kind == .adamw {
            // Computed in Double: 1 − β2^t is tiny for small t, and Float loses its digits.
            let c1 = 1 - pow(config.beta1, Double(t))
            let c2 = 1 - pow(config.beta2, Double(t))
            s.adamStepSize = Float(learningRate / c1)
            s.adamRootCorrection = Float(1 / c2.squareRoot())
        }
        return s
    }

    /// Updates parameters `w[range]` from gradients `g[range]` and the rule's moments.
    /// - Parameter decays: whether weight decay applies to this range (weights yes, biases no).
    @inline(__always)
    public func update(
        _ range: Range<Int>, decays: Bool, scalars s: StepScalars,
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        moment1 m: UnsafeMutablePointer<Float>?, moment2 v: UnsafeMutablePointer<Float>?
    ) {
        let lr = s.learningRate, scale = s.gradientScale
        let lambda = decays ? Float(config.weightDecay) : 0
        typealias V = Lanes.Vector
        switch config.kind {
        case .sgd:
            Lanes.forEach(range) { i, n in
                let wi = Lanes.load(w + i, n)
                Lanes.store(wi - lr * (scale * Lanes.load(g + i, n) + lambda * wi), w + i, n)
            }
        case .momentum:
            let mu = Float(config.momentum), nesterov: Float = config.nesterov ? 1 : 0
            let m = m!
            Lanes.forEach(range) { i, n in
                let wi = Lanes.load(w + i, n)
                let grad = scale * Lanes.load(g + i, n) + lambda * wi
                let mi = mu * Lanes.load(m + i, n) + grad
                Lanes.store(mi, m + i, n)
                // Nesterov steps along grad + μ·m (PyTorch's formulation), plain momentum along m.
                let direction = nesterov == 0 ? mi : grad + mu * mi
                Lanes.store(wi - lr * direction, w + i, n)
            }
        case .adam, .adamw:
            let m = m!, v = v!
            // 1 − β in Double before rounding: 1 − Float(0.999) is off by 1.3e-5 relative.
            let b1 = Float(config.beta1), b2 = Float(config.beta2), eps = Float(config.epsilon)
            let c1 = Float(1 - config.beta1), c2 = Float(1 - config.beta2)
            let step = s.adamStepSize, rootCorrection = s.adamRootCorrection
            // AdamW shrinks the weight itself; Adam adds λw to the gradient (L2).
            let shrink: Float = config.kind == .adamw ? 1 - lr * lambda : 1
            let l2: Float = config.kind == .adam ? lambda : 0
            Lanes.forEach(range) { i, n in
                let wi = Lanes.load(w + i, n)
                let grad = scale * Lanes.load(g + i, n) + l2 * wi
                let mi = b1 * Lanes.load(m + i, n) + c1 * grad
                let vi = b2 * Lanes.load(v + i, n) + c2 * grad * grad
                Lanes.store(mi, m + i, n)
                Lanes.store(vi, v + i, n)
                // PyTorch's placement of ε: outside the bias-corrected root.
                let denominator: V = vi.squareRoot() * rootCorrection + eps
                Lanes.store(shrink * wi - step * mi / denominator, w + i, n)
            }
        }
    }
}
