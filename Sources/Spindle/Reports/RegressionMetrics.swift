/// Goodness of fit for regression.
public enum RegressionMetrics {
    /// R² = 1 − SS_res / SS_tot, both summed over all targets (so a target with more spread
    /// weighs more); nil when SS_tot is 0 (constant targets: no spread to explain). `Evaluator`
    /// sums SS_tot around each target's mean (`FeatureStatistics.totalSquaredDeviation`).
    public static func rSquared(residualSumOfSquares: Double, totalSumOfSquares: Double) -> Double? {
        totalSumOfSquares > 0 ? 1 - residualSumOfSquares / totalSumOfSquares : nil
    }
}
