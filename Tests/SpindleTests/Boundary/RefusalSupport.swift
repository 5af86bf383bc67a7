import Spindle
import Testing

// Helpers of the boundary tests. The refusal a user reads is the contract (DESIGN.md contract
// 5), so the whole line is compared, not a word of it.

/// Runs `body`, which must throw a `SpindleError` whose one-line description is exactly `expected`.
func expectRefusal(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected the refusal \"\(expected)\", but it succeeded", sourceLocation: sourceLocation)
    } catch let error as SpindleError {
        #expect("\(error)" == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a SpindleError \"\(expected)\", got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}

/// A split of `rows` rows with features (row·F + j) / 10 and the given labels (default: row mod 3).
func labelledSplit(_ name: String, rows: Int = 20, features: Int = 3, labels: [Int32]? = nil) -> DatasetSplit {
    DatasetSplit(name: name, rows: rows, featureCount: features,
                 features: .float32((0..<(rows * features)).map { Float($0) / 10 }),
                 targets: .labels(labels ?? (0..<rows).map { Int32($0 % 3) }))
}

/// A split of `rows` rows with `width` float targets a row.
func regressionSplit(_ name: String, rows: Int = 20, features: Int = 3, width: Int) -> DatasetSplit {
    DatasetSplit(name: name, rows: rows, featureCount: features,
                 features: .float32((0..<(rows * features)).map { Float($0) / 10 }),
                 targets: .values((0..<(rows * width)).map { Float($0 % 7) }, width: width))
}
