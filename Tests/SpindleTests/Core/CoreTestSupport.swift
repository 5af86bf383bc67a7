import Foundation
import Spindle
import SpindleTestSupport
import Testing

// Shared helpers of the core numeric tests. Every helper that records an expectation takes the
// caller's `sourceLocation`, so a failure points at the test line, not at this file.
//
// Letters: N rows of a split, F features, C classes (or T regression targets).

/// A classification split: (N, F) standard-normal float32 features, labels uniform in 0..<C.
func makeClassificationSplit(rows: Int, features: Int, classes: Int, seed: UInt64) -> DatasetSplit {
    var random = SplitMix64(seed: seed)
    let x = random.normals(rows * features)
    let y = (0..<rows).map { _ in Int32(random.below(classes)) }
    return DatasetSplit(name: "test:/classes", rows: rows, featureCount: features,
                        features: .float32(x), targets: .labels(y))
}

/// A regression split: (N, F) standard-normal features, (N, T) targets uniform in [-1, 1).
func makeRegressionSplit(rows: Int, features: Int, width: Int, seed: UInt64) -> DatasetSplit {
    var random = SplitMix64(seed: seed)
    let x = random.normals(rows * features)
    let y = random.floats(rows * width)
    return DatasetSplit(name: "test:/values", rows: rows, featureCount: features,
                        features: .float32(x), targets: .values(y, width: width))
}

/// The first `count` rows of `split`, in order.
func firstRows(_ split: DatasetSplit, _ count: Int) -> Batch {
    Batch(split: split, indices: Array(0..<count)[...])
}

/// Expects `actual` and `expected` to hold the same bits, element by element (so -0 ≠ +0 and
/// a NaN equals only the same NaN), naming the first difference.
func expectBitIdentical(
    _ actual: [Float], _ expected: [Float], _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) elements",
            sourceLocation: sourceLocation)
    let differing = zip(actual, expected).enumerated()
        .filter { $0.element.0.bitPattern != $0.element.1.bitPattern }.map(\.offset)
    guard let first = differing.first else { return }
    let message = "\(what): \(differing.count) of \(actual.count) elements differ; first at \(first): "
        + "\(actual[first]) vs \(expected[first])"
    Issue.record("\(message)", sourceLocation: sourceLocation)
}

/// Expects |actual − expected| ≤ absolute + relative · |expected| elementwise, naming the worst
/// element. Tolerances are the caller's, stated and justified at the call.
func expectClose(
    _ actual: [Float], _ expected: [Double], relative: Double, absolute: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) elements",
            sourceLocation: sourceLocation)
    var worst: (index: Int, excess: Double)? = nil, failures = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let error = abs(Double(a) - e), allowed = absolute + relative * abs(e)
        // `!(error <= allowed)` also catches NaN, which then counts as the worst.
        guard !(error <= allowed) else { continue }
        failures += 1
        let excess = error.isNaN ? .infinity : error / allowed
        if excess >= (worst?.excess ?? 0) { worst = (i, excess) }
    }
    guard let worst else { return }
    let i = worst.index
    let message = "\(what): \(failures) of \(actual.count) elements out of tolerance; worst, element "
        + "\(i), is \(actual[i]), expected \(expected[i]) (error \(abs(Double(actual[i]) - expected[i])), "
        + "tolerance \(absolute) + \(relative)·|expected|)"
    Issue.record("\(message)", sourceLocation: sourceLocation)
}

/// Scalar form of `expectClose`.
func expectClose(
    _ actual: Double, _ expected: Double, relative: Double, absolute: Double = 0, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = abs(actual - expected)
    #expect(error <= absolute + relative * abs(expected),
            "\(what): \(actual), expected \(expected) (error \(error))", sourceLocation: sourceLocation)
}


/// Central finite differences of `engine`'s mean loss on `batch` at `step` (which fixes the
/// dropout masks), one parameter at a time: (L(θ + h) − L(θ − h)) / (the step actually taken,
/// since θ ± h rounds in float32). Leaves the parameters as they were.
func finiteDifferenceGradient(_ engine: StepEngine, _ batch: Batch, step: Int, h: Float) -> [Double] {
    let parameters = engine.network.parameters
    return (0..<parameters.count).map { i in
        let original = parameters[i]
        parameters[i] = original + h
        let plus = engine.step(batch, step: step, update: nil).meanLoss
        parameters[i] = original - h
        let minus = engine.step(batch, step: step, update: nil).meanLoss
        parameters[i] = original
        return (plus - minus) / (Double(original + h) - Double(original - h))
    }
}

/// The engine's gradient of `network` on 6 rows of a 3-class split (as many features as it
/// takes) against
/// `finiteDifferenceGradient` (h = 1e-2). Tolerance, float32 throughout: central differences with
/// h = 1e-2 carry noise ~1e-5 and truncation ~2e-5 for O(1) weights; |fd − g| ≤ 5e-4 + 1e-2·|g|
/// is far below a wrong factor or mask (≥ 30 % off). Also expects the gradient not to be ~zero,
/// so that the check is worth something.
func expectGradientMatchesFiniteDifferences(_ network: Network, _ what: String,
                                            sourceLocation: SourceLocation = #_sourceLocation) {
    let rows = 6
    let split = makeClassificationSplit(rows: rows, features: network.spec.inputCount, classes: 3, seed: 8)
    let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .sgd), workers: 2,
                            shards: 3, maxBatch: rows, seed: 4)
    let batch = firstRows(split, rows)
    engine.step(batch, step: 2, update: nil)
    let analytic = engine.gradients.array()
    let numeric = finiteDifferenceGradient(engine, batch, step: 2, h: 1e-2)
    expectClose(analytic, numeric, relative: 1e-2, absolute: 5e-4, what, sourceLocation: sourceLocation)
    #expect(analytic.map(abs).max()! > 1e-2, sourceLocation: sourceLocation)
}
