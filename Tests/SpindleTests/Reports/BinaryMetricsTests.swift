import Foundation
import Spindle
import Testing

/// ROC AUC, PR AUC (average precision) and the positive class's precision, recall and F1 against
/// scikit-learn (Core/Reference/make_binary_metrics.py wrote Core/Reference/binary_metrics.json),
/// including tied scores, all-tied scores, rare positives and undefined scores.
struct BinaryMetricsTests {
    struct Fixture: Decodable { let cases: [Case] }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let labels: [Int32]
        let scores: [Double]
        let predicted: [Int]
        let roc_auc: Double?
        let average_precision: Double?
        let precision: Double?
        let recall: Double?
        let f1: Double?
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Core/Reference/binary_metrics.json")
        let data = try! Data(contentsOf: url)  // a missing fixture is a broken checkout
        return try! JSONDecoder().decode(Fixture.self, from: data).cases
    }()

    /// Sums of at most 300 terms in a different order from scikit-learn's: 1e-12 is generous.
    static let tolerance = 1e-12

    @Test(arguments: cases)
    func matchScikitLearn(_ c: Case) {
        var confusion = ConfusionMatrix(classes: 2)
        for (label, predicted) in zip(c.labels, c.predicted) { confusion.add(trueClass: Int(label), predicted: predicted) }
        let metrics = BinaryMetrics(labels: c.labels, scores: c.scores, confusion: confusion)
        for (name, got, want) in [("roc_auc", metrics.rocAUC, c.roc_auc), ("pr_auc", metrics.prAUC, c.average_precision),
                                  ("precision", metrics.precision, c.precision), ("recall", metrics.recall, c.recall),
                                  ("f1", metrics.f1, c.f1)] {
            if let want {
                #expect(abs((got ?? .nan) - want) <= Self.tolerance, "\(name): \(String(describing: got)) vs \(want)")
            } else {
                #expect(got == nil, "\(name) is undefined, got \(String(describing: got))")
            }
        }
    }

    /// Hand-computed: positives score 3 and 1, negatives 2 and 0. Of the 4 (positive, negative)
    /// pairs, 3 are ordered right: AUC 3/4. From the top: thresholds 3 (P 1, R ½), 2 (P ½, R ½),
    /// 1 (P ⅔, R 1), 0: AP = ½·1 + 0·½ + ½·⅔ = ⅚.
    @Test func handComputed() {
        let labels: [Int32] = [1, 0, 1, 0], scores = [3.0, 2, 1, 0]
        #expect(BinaryMetrics.rocAUC(labels: labels, scores: scores) == 0.75)
        #expect(abs(BinaryMetrics.averagePrecision(labels: labels, scores: scores)! - 5.0 / 6) < 1e-15)
    }

    @Test func oneClassLeavesTheRankingScoresUndefined() {
        #expect(BinaryMetrics.rocAUC(labels: [1, 1], scores: [0, 1]) == nil)
        #expect(BinaryMetrics.rocAUC(labels: [0, 0], scores: [0, 1]) == nil)
        #expect(BinaryMetrics.averagePrecision(labels: [0, 0], scores: [0, 1]) == nil)
        #expect(BinaryMetrics.averagePrecision(labels: [1, 1], scores: [0, 1]) == 1)
    }
}
