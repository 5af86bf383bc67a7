/// The checks that make an in-memory split safe to hand to the engine, whose kernels index its
/// arrays without bounds checks: a `DatasetSplit` is made by any Swift caller, so nothing but
/// this says that its arrays hold the rows it claims.
///
/// Letters: N rows, F features, T regression targets per row.
extension DatasetSplit {
    /// Checks that the arrays hold N·F features and N labels (each ≥ 0) or N·T targets.
    /// - Throws: `SpindleError.invalidData` naming the split, what it holds and what it should.
    public func validate() throws {
        func invalid(_ problem: String) -> SpindleError { .invalidData(location: name, problem: problem) }
        guard rows >= 0 else { throw invalid("has \(rows) rows; expected a number of rows >= 0") }
        guard featureCount > 0 else { throw invalid("has \(featureCount) features; expected at least 1") }
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }), sampleShape.reduce(1, *) == featureCount else {
            throw invalid("has rows of shape \(sampleShape); expected sizes >= 1 whose product is its \(featureCount) features")
        }
        let stored: Int
        switch features {
        case .uint8(let x): stored = x.count
        case .float32(let x): stored = x.count
        }
        guard stored == rows * featureCount else {
            throw invalid("holds \(stored) feature values; expected \(rows) rows × \(featureCount) features = " +
                          "\(rows * featureCount)")
        }
        switch targets {
        case .labels(let labels):
            guard labels.count == rows else {
                throw invalid("holds \(labels.count) labels; expected one per row, \(rows)")
            }
            if let bad = labels.firstIndex(where: { $0 < 0 }) {
                throw SpindleError.invalidData(location: name + "/y",
                                   problem: "label \(labels[bad]) at row \(bad) is out of range; expected class indices 0, 1, 2, …")
            }
        case .values(let values, let width):
            guard width > 0 else { throw invalid("has \(width) targets per row; expected at least 1") }
            guard values.count == rows * width else {
                throw invalid("holds \(values.count) target values; expected \(rows) rows × \(width) targets = " +
                              "\(rows * width)")
            }
        case .none:
            break
        }
    }

    /// The first label at or above `classes`, with its row; nil when every label is below it.
    func firstLabel(atLeast classes: Int) -> (row: Int, label: Int32)? {
        guard case .labels(let labels) = targets,
              let bad = labels.firstIndex(where: { Int($0) >= classes }) else { return nil }
        return (bad, labels[bad])
    }
}
