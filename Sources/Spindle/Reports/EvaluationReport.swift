/// How well a network does on a split: mean loss, and accuracy per class for classification or
/// error measures for regression.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public var rows: Int
    /// Mean of the per-row losses (the training objective).
    public var loss: Double
    /// Fraction of rows whose argmax output is the label (classification only).
    public var accuracy: Double?
    /// Rows of each true class, and how many of them were predicted right.
    public var classCounts: [Int]?
    public var classCorrect: [Int]?
    /// Mean squared and mean absolute error over all targets (regression only).
    public var meanSquaredError: Double?
    public var meanAbsoluteError: Double?

    /// Accuracy within each true class (nil entries for classes with no rows).
    public var perClassAccuracy: [Double?]? {
        guard let counts = classCounts, let correct = classCorrect else { return nil }
        return zip(counts, correct).map { $0 > 0 ? Double($1) / Double($0) : nil }
    }
}
