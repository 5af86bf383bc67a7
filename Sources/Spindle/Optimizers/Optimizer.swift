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
        switch config.kind {
        case .sgd:
            for i in range {
                w[i] -= lr * (scale * g[i] + lambda * w[i])
            }
        case .momentum:
            let mu = Float(config.momentum)
            let m = m!
            if config.nesterov {
                for i in range {
                    let grad = scale * g[i] + lambda * w[i]
                    m[i] = mu * m[i] + grad
                    w[i] -= lr * (grad + mu * m[i])
                }
            } else {
                for i in range {
                    m[i] = mu * m[i] + (scale * g[i] + lambda * w[i])
                    w[i] -= lr * m[i]
                }
            }
        case .adam, .adamw:
            let m = m!, v = v!
            let b1 = Float(config.beta1), b2 = Float(config.beta2), eps = Float(config.epsilon)
            let step = s.adamStepSize, rootCorrection = s.adamRootCorrection
            // AdamW shrinks the weight itself; Adam adds λw to the gradient (L2).
            let shrink: Float = config.kind == .adamw ? 1 - lr * lambda : 1
            let l2: Float = config.kind == .adam ? lambda : 0
            for i in range {
                let grad = scale * g[i] + l2 * w[i]
                let mi = b1 * m[i] + (1 - b1) * grad
                let vi = b2 * v[i] + (1 - b2) * grad * grad
                m[i] = mi
                v[i] = vi
                // PyTorch's placement of ε: outside the bias-corrected root.
                w[i] = shrink * w[i] - step * mi / ((vi.squareRoot() * rootCorrection) + eps)
            }
        }
    }
}
