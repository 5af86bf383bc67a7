/// Counts of (true class, predicted class) pairs over a split, and the per-class scores they give.
///
/// C classes; `counts` is (C, C): row = true class, column = predicted class. For class k with
/// TP = counts[k][k], FP = column k's other entries and FN = row k's other entries:
/// precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·TP / (2·TP + FP + FN) (the harmonic
/// mean of the two, written so that it is defined whenever the class occurs or is predicted).
/// A score whose denominator is 0 is nil ("undefined"), never a silent 0.
///
/// Encodes as the bare (C, C) array of counts.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// (C, C): counts[true][predicted].
    public private(set) var counts: [[Int]]

    /// An empty matrix for `classes` classes.
    public init(classes: Int) {
        precondition(classes > 0, "a confusion matrix needs at least one class")
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    /// A matrix of given counts, which must be square.
    public init(counts: [[Int]]) {
        precondition(!counts.isEmpty && counts.allSatisfy { $0.count == counts.count },
                     "a confusion matrix is square: (C, C)")
        self.counts = counts
    }

    public var classes: Int { counts.count }

    /// Rows counted: the sum of every entry.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Counts one row whose label is `trueClass` and whose argmax output is `predicted`.
    public mutating func add(trueClass: Int, predicted: Int) {
        counts[trueClass][predicted] += 1
    }

    /// Adds another matrix of the same size (e.g. a chunk's).
    public mutating func add(_ other: ConfusionMatrix) {
        precondition(other.classes == classes, "confusion matrices of different sizes")
        for t in 0..<classes { for p in 0..<classes { counts[t][p] += other.counts[t][p] } }
    }

    private func truePositives(_ k: Int) -> Int { counts[k][k] }
    private func predictedCount(_ k: Int) -> Int { counts.reduce(0) { $0 + $1[k] } }
    private func actualCount(_ k: Int) -> Int { counts[k].reduce(0, +) }

    /// TP / (TP + FP) per class; nil for a class never predicted.
    public var precision: [Double?] {
        (0..<classes).map { k in
            let predicted = predictedCount(k)
            return predicted > 0 ? Double(truePositives(k)) / Double(predicted) : nil
        }
    }

    /// TP / (TP + FN) per class; nil for a class with no rows.
    public var recall: [Double?] {
        (0..<classes).map { k in
            let actual = actualCount(k)
            return actual > 0 ? Double(truePositives(k)) / Double(actual) : nil
        }
    }

    /// 2·TP / (2·TP + FP + FN) per class; nil for a class neither present nor predicted.
    public var f1: [Double?] {
        (0..<classes).map { k in
            // 2TP + FP + FN = (TP + FP) + (TP + FN).
            let denominator = predictedCount(k) + actualCount(k)
            return denominator > 0 ? 2 * Double(truePositives(k)) / Double(denominator) : nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let counts = try decoder.singleValueContainer().decode([[Int]].self)
        guard !counts.isEmpty, counts.allSatisfy({ $0.count == counts.count }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a confusion matrix is a non-empty square array"))
        }
        self.counts = counts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counts)
    }
}
