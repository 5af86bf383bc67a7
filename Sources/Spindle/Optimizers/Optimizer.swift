import CKernels
import Foundation

/// Applies one optimizer step to a contiguous range of the flat parameter buffer.
///
/// Every rule is elementwise, so updating slices on different workers gives the same bits as one
/// pass over everything; the coordinator only supplies per-step scalars (`StepScalars`). The loops
/// themselves are C (CKernels), built for the CPU's widest vectors.
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
    /// - Parameters:
    ///   - decays: whether weight decay applies to this range (weights yes, biases no).
    ///   - sums: where to add the update's measurements (`GradientMeter`): Σ g², Σ Δw², Σ w² after
    ///     the update; nil to measure nothing. The parameters get the same bits either way.
    @inline(__always)
    public func update(
        _ range: Range<Int>, decays: Bool, scalars s: StepScalars,
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        moment1 m: UnsafeMutablePointer<Float>?, moment2 v: UnsafeMutablePointer<Float>?,
        sums: UnsafeMutablePointer<Double>? = nil
    ) {
        let lr = s.learningRate, scale = s.gradientScale
        let lambda = decays ? Float(config.weightDecay) : 0
        let n = range.count, i = range.lowerBound
        switch (config.kind, sums) {
        case (.sgd, nil):
            spindle_sgd(n, w + i, g + i, scale, lambda, lr)
        case let (.sgd, sums?):
            spindle_sgd_measured(n, w + i, g + i, scale, lambda, lr, sums)
        case (.momentum, nil):
            spindle_momentum(n, w + i, g + i, m! + i, scale, lambda, lr, Float(config.momentum),
                             config.nesterov ? 1 : 0)
        case let (.momentum, sums?):
            spindle_momentum_measured(n, w + i, g + i, m! + i, scale, lambda, lr, Float(config.momentum),
                                      config.nesterov ? 1 : 0, sums)
        case (.adam, _), (.adamw, _):
            // 1 − β in Double before rounding: 1 − Float(0.999) is off by 1.3e-5 relative.
            // AdamW shrinks the weight itself; Adam adds λw to the gradient (L2).
            let l2 = config.kind == .adam ? lambda : 0, shrink = config.kind == .adamw ? 1 - lr * lambda : 1
            let b1 = Float(config.beta1), c1 = Float(1 - config.beta1)
            let b2 = Float(config.beta2), c2 = Float(1 - config.beta2), eps = Float(config.epsilon)
            if let sums {
                spindle_adam_measured(n, w + i, g + i, m! + i, v! + i, scale, l2, shrink, b1, c1, b2, c2,
                                      s.adamStepSize, s.adamRootCorrection, eps, sums)
            } else {
                spindle_adam(n, w + i, g + i, m! + i, v! + i, scale, l2, shrink, b1, c1, b2, c2,
                             s.adamStepSize, s.adamRootCorrection, eps)
            }
        }
    }
}
