import Foundation
import Spindle
import Testing

/// Per-class scores against values worked out by hand (in the comments); R² is tested through
/// `Evaluator` (EvaluatorRegressionTests).
struct ConfusionTests {
    /// Four classes. Class 2 is never predicted (precision undefined); class 3 neither occurs nor
    /// is predicted (every score undefined).
    ///
    ///              predicted 0  1  2  3    rows
    ///     true 0             2  1  0  0      3
    ///     true 1             0  3  0  0      3
    ///     true 2             1  1  0  0      2
    ///     true 3             0  0  0  0      0
    ///     predicted          3  5  0  0      8
    static let pairs: [(truth: Int, predicted: Int)] =
        [(0, 0), (0, 0), (0, 1), (1, 1), (1, 1), (1, 1), (2, 0), (2, 1)]

    static func matrix() -> ConfusionMatrix {
        var matrix = ConfusionMatrix(classes: 4)
        for (truth, predicted) in pairs { matrix.add(trueClass: truth, predicted: predicted) }
        return matrix
    }

    /// `actual` equals `expected` entry by entry within 1e-12, nil where nil.
    static func expectScores(_ actual: [Double?], _ expected: [Double?], _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "\(what): \(actual)", sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            switch (a, e) {
            case (nil, nil): break
            case let (a?, e?): #expect(abs(a - e) <= 1e-12, "\(what): \(actual) vs \(expected)", sourceLocation: sourceLocation)
            default: Issue.record("\(what): \(actual) vs \(expected)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func countsRowsAsTrueAndColumnsAsPredicted() {
        let matrix = Self.matrix()
        #expect(matrix.counts == [[2, 1, 0, 0], [0, 3, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
        #expect(matrix.total == Self.pairs.count)
        #expect(matrix.classes == 4)
    }

    @Test func precisionRecallAndF1() {
        let matrix = Self.matrix()
        // Precision TP / column sum: 2/3, 3/5, never predicted, never predicted.
        Self.expectScores(matrix.precision, [2.0 / 3, 3.0 / 5, nil, nil], "precision")
        // Recall TP / row sum: 2/3, 3/3, 0/2, no rows.
        Self.expectScores(matrix.recall, [2.0 / 3, 1, 0, nil], "recall")
        // F1 2TP / (row + column): 4/6, 6/8 (= 2·0.6·1 / 1.6, the harmonic mean), 0/2, undefined.
        Self.expectScores(matrix.f1, [2.0 / 3, 0.75, 0, nil], "f1")
    }

    @Test func addsMatricesAndEncodesAsABareArray() throws {
        var sum = Self.matrix()
        sum.add(Self.matrix())
        #expect(sum.counts == Self.matrix().counts.map { $0.map { 2 * $0 } })
        let json = String(decoding: try JSONEncoder().encode(Self.matrix()), as: UTF8.self)
        #expect(json == "[[2,1,0,0],[0,3,0,0],[1,1,0,0],[0,0,0,0]]")
        #expect(try JSONDecoder().decode(ConfusionMatrix.self, from: Data(json.utf8)) == Self.matrix())
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ConfusionMatrix.self, from: Data("[[1,2]]".utf8)) }
    }
}
