/// Goodness of fit for regression.
public enum RegressionMetrics {
    /// Σ over rows and targets of (y_ij − ȳ_j)², where ȳ_j is target j's mean: the squared error
    /// of always predicting each target's mean. Targets (N, T) row-major.
    public static func totalSumOfSquares(_ targets: [Float], width: Int) -> Double {
        precondition(width > 0 && targets.count % width == 0, "targets are (N, T) row-major")
        let n = targets.count / width
        guard n > 0 else { return 0 }
        var mean = [Double](repeating: 0, count: width)
        for r in 0..<n { for j in 0..<width { mean[j] += Double(targets[r * width + j]) } }
        for j in 0..<width { mean[j] /= Double(n) }
        // Two passes (mean first) rather than Σy² − n·ȳ², which cancels badly when the spread is
        // small against the mean.
        var total = 0.0
        for r in 0..<n {
            for j in 0..<width {
                let d = Double(targets[r * width + j]) - mean[j]
                total += d * d
            }
        }
        return total
    }

    /// R² = 1 − SS_res / SS_tot, both summed over all targets (so a target with more spread
    /// weighs more); nil when SS_tot is 0 (constant targets: no spread to explain).
    public static func rSquared(residualSumOfSquares: Double, totalSumOfSquares: Double) -> Double? {
        totalSumOfSquares > 0 ? 1 - residualSumOfSquares / totalSumOfSquares : nil
    }

    /// R² of `predictions` against `targets`, both (N, T) row-major.
    public static func rSquared(predictions: [Float], targets: [Float], width: Int) -> Double? {
        precondition(predictions.count == targets.count, "predictions and targets have the same shape")
        var residual = 0.0
        for (p, y) in zip(predictions, targets) {
            let e = Double(p) - Double(y)
            residual += e * e
        }
        return rSquared(residualSumOfSquares: residual, totalSumOfSquares: totalSumOfSquares(targets, width: width))
    }
}
