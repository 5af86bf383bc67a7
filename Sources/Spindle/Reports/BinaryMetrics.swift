/// Scores of a two-class classifier for its positive class (class 1): the ranking measures ROC AUC
/// and PR AUC (average precision) from each row's score, and precision, recall and F1 of the
/// predicted classes.
///
/// N rows; `labels[i]` is 1 for a positive row and 0 otherwise; `scores[i]` is any number that
/// grows with the model's belief that row i is positive (its class-1 probability, or the logit
/// difference z1 − z0, which ranks rows the same way without rounding distinct probabilities
/// together). Both ranking measures depend only on the order of the scores, and treat tied scores
/// as scikit-learn does, so the values equal `roc_auc_score` and `average_precision_score`.
/// A measure whose denominator is 0 (no positive or no negative rows) is nil, never a silent 0.
public struct BinaryMetrics: Codable, Equatable, Sendable {
    /// Area under the ROC curve: the chance that a random positive row scores above a random
    /// negative one (ties count one half). Nil without both classes.
    public var rocAUC: Double?
    /// Area under the precision-recall curve as average precision: Σₖ (Rₖ − Rₖ₋₁) Pₖ over the
    /// distinct score thresholds from high to low. Nil without positive rows.
    public var prAUC: Double?
    /// TP / (TP + FP) of the positive class; nil when it is never predicted.
    public var precision: Double?
    /// TP / (TP + FN) of the positive class; nil without positive rows.
    public var recall: Double?
    /// 2·TP / (2·TP + FP + FN); nil when the positive class is neither present nor predicted.
    public var f1: Double?

    /// All five measures for one split.
    /// - Parameters:
    ///   - labels: (N) true classes, 0 or 1.
    ///   - scores: (N) the positive class's scores; finite.
    ///   - confusion: the (2, 2) matrix of true against predicted classes.
    public init(labels: [Int32], scores: [Double], confusion: ConfusionMatrix) {
        precondition(confusion.classes == 2, "binary metrics need a (2, 2) confusion matrix")
        rocAUC = Self.rocAUC(labels: labels, scores: scores)
        prAUC = Self.averagePrecision(labels: labels, scores: scores)
        precision = confusion.precision[1]
        recall = confusion.recall[1]
        f1 = confusion.f1[1]
    }

    /// ROC AUC as the Mann–Whitney statistic: (Σ ranks of the positives − P(P+1)/2) / (P·N₀), with
    /// tied scores given their average rank. This is the trapezoidal area under the ROC curve
    /// (scikit-learn's), computed in O(N log N) with one fixed summation order.
    /// - Returns: nil when the rows are all of one class.
    public static func rocAUC(labels: [Int32], scores: [Double]) -> Double? {
        precondition(labels.count == scores.count, "\(labels.count) labels for \(scores.count) scores")
        let positives = labels.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = ascending(scores)
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            // Ranks start..end (0-based) share their mean, which as 1-based ranks is this.
            let averageRank = Double(start + end) / 2 + 1
            for k in start...end where labels[order[k]] == 1 { rankSum += averageRank }
            start = end + 1
        }
        let p = Double(positives), n = Double(negatives)
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }

    /// Average precision: walking the distinct scores from high to low, each threshold t takes
    /// every row scoring ≥ t as positive; Σ (recall − previous recall) × precision at t.
    /// No interpolation (scikit-learn's `average_precision_score`).
    /// - Returns: nil when no row is positive.
    public static func averagePrecision(labels: [Int32], scores: [Double]) -> Double? {
        precondition(labels.count == scores.count, "\(labels.count) labels for \(scores.count) scores")
        let positives = labels.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
        guard positives > 0 else { return nil }
        let order = Array(ascending(scores).reversed())
        var truePositives = 0, taken = 0
        var previousRecall = 0.0, sum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            for k in start...end where labels[order[k]] == 1 { truePositives += 1 }
            taken += end - start + 1
            let recall = Double(truePositives) / Double(positives)
            sum += (recall - previousRecall) * Double(truePositives) / Double(taken)
            previousRecall = recall
            start = end + 1
        }
        return sum
    }

    /// Row indices sorted by score, ties by index, so the order never depends on the sort.
    private static func ascending(_ scores: [Double]) -> [Int] {
        scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }
}
