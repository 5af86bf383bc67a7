import Foundation

/// The loss of each row and its gradient with respect to the output layer's linear outputs.
///
/// Letters: R rows of this call, C outputs. The batch loss is the mean over its B rows, so each
/// row's gradient is scaled by 1/B here; the per-row losses are summed later in row order.
///
/// Internal: raw pointers with shapes trusted, as `DenseKernels`.
enum LossKernels {
    /// Softmax fused with cross-entropy.
    ///
    /// loss_r = log Σ_c exp(z_rc) − z_r,y  and  ∂loss/∂z_rc = softmax(z_r)_c − [c = y].
    /// Both use the log-sum-exp shift by max_c z_rc so that exp never overflows and the largest
    /// term is exactly 1 (the sum is ≥ 1, so its log is never −inf).
    /// - Parameters:
    ///   - z: (R, C) logits.
    ///   - labels: R class indices, each in 0..<C.
    ///   - gradientScale: 1/B (with class weights, 1/Σ_r w[y_r]).
    ///   - classWeights: (C) w, or nil; row r's gradient is scaled by w[y_r] too, its loss is not.
    ///   - dz: (R, C) ∂(batch loss)/∂z out; may be nil for evaluation.
    ///   - rowLoss: R losses out.
    ///   - predicted: R argmax classes out.
    @inline(__always)
    static func softmaxCrossEntropy(
        _ z: UnsafePointer<Float>, rows: Int, classes c: Int,
        labels: UnsafePointer<Int32>, gradientScale: Float, classWeights: UnsafePointer<Float>? = nil,
        dz: UnsafeMutablePointer<Float>?, rowLoss: UnsafeMutablePointer<Float>,
        predicted: UnsafeMutablePointer<Int32>
    ) {
        for r in 0..<rows {
            let zr = z + r * c
            var maxValue = zr[0], argmax = 0
            for j in 1..<c where zr[j] > maxValue { maxValue = zr[j]; argmax = j }
            var sum: Float = 0
            for j in 0..<c { sum += Foundation.exp(zr[j] - maxValue) }
            let logSum = Foundation.log(sum)
            let y = Int(labels[r])
            // The last guard against a label that was never checked (the public entry points
            // refuse one with a message): one compare a row, against a write out of bounds.
            precondition(y >= 0 && y < c, "LossKernels: label \(y) of \(c) classes")
            rowLoss[r] = logSum + (maxValue - zr[y])  // the difference first: exact when z_y is the max
            predicted[r] = Int32(argmax)
            guard let dz else { continue }
            let dr = dz + r * c
            let inverseSum = 1 / sum
            let scale = classWeights.map { gradientScale * $0[y] } ?? gradientScale
            for j in 0..<c {
                dr[j] = Foundation.exp(zr[j] - maxValue) * inverseSum * scale
            }
            dr[y] -= scale
        }
    }

    /// Mean squared error: loss_r = Σ_t (z_rt − y_rt)² / T, and the batch loss is the mean of
    /// loss_r, i.e. the mean over all B·T elements, as torch.nn.MSELoss.
    /// - Parameters:
    ///   - z: (R, T) outputs.
    ///   - targets: (R, T) targets.
    ///   - gradientScale: 1/B (the 1/T and the factor 2 are applied here).
    ///   - dz: (R, T) out, or nil.
    ///   - rowLoss: R losses out.
    @inline(__always)
    static func meanSquaredError(
        _ z: UnsafePointer<Float>, rows: Int, width t: Int,
        targets: UnsafePointer<Float>, gradientScale: Float,
        dz: UnsafeMutablePointer<Float>?, rowLoss: UnsafeMutablePointer<Float>
    ) {
        let inverseWidth = 1 / Float(t)
        let gradientFactor = 2 * inverseWidth * gradientScale
        for r in 0..<rows {
            let zr = z + r * t, yr = targets + r * t
            var sum: Float = 0
            for j in 0..<t {
                let e = zr[j] - yr[j]
                sum += e * e
                dz?[r * t + j] = gradientFactor * e
            }
            rowLoss[r] = sum * inverseWidth
        }
    }
}
