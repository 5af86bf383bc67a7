/// How well a network does on a split: mean loss, and accuracy, the confusion matrix and
/// per-class scores for classification, or error measures and R² for regression.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public var rows: Int
    /// Mean of the per-row losses (the training objective).
    public var loss: Double
    /// Fraction of rows whose argmax output is the label (classification only).
    public var accuracy: Double?
    /// Rows of each true class, and how many of them were predicted right.
    public var classCounts: [Int]?
    public var classCorrect: [Int]?
    /// (C, C): rows of true class t predicted as p at [t][p] (classification only).
    public var confusion: ConfusionMatrix?
    /// ROC AUC, PR AUC, and precision, recall and F1 of class 1, when there are two classes.
    public var binary: BinaryMetrics?
    /// Mean squared and mean absolute error over all targets (regression only).
    public var meanSquaredError: Double?
    public var meanAbsoluteError: Double?
    /// 1 − SS_res / SS_tot over all targets (regression only; nil when the targets are constant).
    /// See `RegressionMetrics.rSquared`.
    public var rSquared: Double?

    /// Accuracy within each true class (nil entries for classes with no rows).
    public var perClassAccuracy: [Double?]? {
        guard let counts = classCounts, let correct = classCorrect else { return nil }
        return zip(counts, correct).map { $0 > 0 ? Double($1) / Double($0) : nil }
    }
}
