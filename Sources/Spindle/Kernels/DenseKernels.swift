import CKernels

/// Elementwise passes that sit between the GEMMs of a dense layer, each fused into one sweep over
/// a worker's rows so that the activations make one trip through the cache.
///
/// Letters: R rows of this call (a worker's share of the batch), N units of the layer.
/// All matrices are row-major with a row stride of N elements.
///
/// Internal: the kernels index raw pointers and trust every shape, which the library's public
/// entry points (Trainer, Evaluator, the checked Batch.gather) check before any of them runs.
enum DenseKernels {
    /// Dropout's random draw for one step: keep unit (row, unit) of `layer` with probability 1 − p.
    /// Inverted dropout: kept units are scaled by 1/(1 − p) while training, so inference needs no
    /// rescaling.
    struct DropoutDraw: Sendable {
        var probability: Float
        var seed: UInt64
        var step: Int
        var layer: Int
        /// Position of the workspace's row 0 in the global batch: a rank's first row when ranks
        /// share the batch, so that a row's mask does not depend on which rank trains it.
        var rowOffset: Int

        init(probability: Float, seed: UInt64, step: Int, layer: Int, rowOffset: Int = 0) {
            self.probability = probability
            self.seed = seed
            self.step = step
            self.layer = layer
            self.rowOffset = rowOffset
        }
    }

    /// z ← f(z + b) in place for rows [0, R); with `dropout`, also x ← z · mask and records mask.
    /// - Parameters:
    ///   - z: (R, N) pre-activations in, activations out.
    ///   - bias: (N).
    ///   - firstRow: index of row 0 within the whole batch (dropout draws depend on it, not on R).
    ///   - next: (R, N) the next layer's input (z with dropout applied); only with dropout.
    ///   - mask: (R, N) 0 or 1/(1 − p); only with dropout.
    @inline(__always)
    static func biasActivation(
        _ z: UnsafeMutablePointer<Float>, rows: Int, units n: Int,
        bias: UnsafePointer<Float>, activation: Activation,
        dropout: DropoutDraw?, firstRow: Int,
        next: UnsafeMutablePointer<Float>?, mask: UnsafeMutablePointer<Float>?
    ) {
        biasActivation(z, rows: rows, units: n, bias: bias, function: .plain(activation), preActivations: nil,
                       dropout: dropout, firstRow: firstRow, next: next, mask: mask)
    }

    /// As above for any `Nonlinearity`; `preActivations` (R, N), when given, receives z + b
    /// (what GELU's and SiLU's backward needs).
    @inline(__always)
    static func biasActivation(
        _ z: UnsafeMutablePointer<Float>, rows: Int, units n: Int,
        bias: UnsafePointer<Float>, function: Nonlinearity, preActivations: UnsafeMutablePointer<Float>?,
        dropout: DropoutDraw?, firstRow: Int,
        next: UnsafeMutablePointer<Float>?, mask: UnsafeMutablePointer<Float>?
    ) {
        for r in 0..<rows {
            let zr = z + r * n
            switch function {
            case .plain(.relu):
                for j in 0..<n { let v = zr[j] + bias[j]; zr[j] = v > 0 ? v : 0 }
            default:
                if let kept = preActivations.map({ $0 + r * n }) {
                    for j in 0..<n { let v = zr[j] + bias[j]; kept[j] = v; zr[j] = function.apply(v) }
                } else {
                    for j in 0..<n { zr[j] = function.apply(zr[j] + bias[j]) }
                }
            }
        }
        guard let d = dropout, let next, let mask else { return }
        spindle_dropout(rows, n, z, next, mask, UInt32(firstRow + d.rowOffset),
                        RandomPurpose.dropout.rawValue << 16 | UInt32(d.layer),
                        UInt32(truncatingIfNeeded: d.step), d.seed, d.probability)
    }

    /// z ← z + b in place (the output layer, which has no nonlinearity).
    @inline(__always)
    static func addBias(_ z: UnsafeMutablePointer<Float>, rows: Int, units n: Int,
                               bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let zr = z + r * n
            for j in 0..<n { zr[j] += bias[j] }
        }
    }

    /// d ← d · mask · f'(a) in place: turns ∂L/∂(layer output) into ∂L/∂(pre-activation).
    /// - Parameters:
    ///   - d: (R, N) gradient with respect to the layer's output (after dropout).
    ///   - a: (R, N) the activations f(z), before dropout.
    ///   - z: (R, N) the pre-activations; read only when `function.needsInput`.
    ///   - mask: (R, N) the dropout mask, or nil without dropout.
    @inline(__always)
    static func activationBackward(
        _ d: UnsafeMutablePointer<Float>, rows: Int, units n: Int,
        activations a: UnsafePointer<Float>, preActivations z: UnsafePointer<Float>?,
        function: Nonlinearity, mask: UnsafePointer<Float>?
    ) {
        let count = rows * n
        switch function {
        case .plain(.relu):
            // Branch-free, sixteen at a time: the branch of `where !(a[i] > 0)` mispredicts on
            // half the units of a trained layer (measured: 8 % of a deep residual step).
            let body = count & ~15
            for i in stride(from: 0, to: body, by: 16) {
                let kept = NormKernels.load16(a + i) .> 0
                NormKernels.store(NormKernels.load16(d + i).replacing(with: 0, where: .!kept), d + i)
            }
            for i in body..<count where !(a[i] > 0) { d[i] = 0 }
        case .plain(.sigmoid), .plain(.tanh):
            if case let .plain(activation) = function {
                for i in 0..<count { d[i] *= activation.derivative(output: a[i]) }
            }
        default:
            if function.needsInput, let z {
                for i in 0..<count { d[i] *= function.derivative(input: z[i], output: a[i]) }
            } else {
                precondition(!function.needsInput, "activationBackward: \(function) needs the pre-activations")
                for i in 0..<count { d[i] *= function.derivative(input: 0, output: a[i]) }
            }
        }
        if let mask {
            for i in 0..<count { d[i] *= mask[i] }
        }
    }

    /// db[u] = Σ_r d[r, u] for units `units`, summing rows in order 0, 1, …, B−1 (a fixed order,
    /// so the result is the same whichever worker owns the units).
    /// - Parameters:
    ///   - d: (B, N) ∂L/∂z for the whole batch.
    ///   - db: the bias gradient of the layer, (N); entries outside `units` are untouched.
    @inline(__always)
    static func biasGradient(
        _ d: UnsafePointer<Float>, rows: Int, units n: Int, range units: Range<Int>,
        into db: UnsafeMutablePointer<Float>
    ) {
        for u in units { db[u] = 0 }
        for r in 0..<rows {
            let dr = d + r * n
            for u in units { db[u] += dr[u] }
        }
    }
}
