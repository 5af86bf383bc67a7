import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// The regression figures `Evaluator` reports (MSE, MAE, R²) against the same figures computed
/// here, in Double, by their textbook formulas from predictions worked out here too: the model is
/// linear (no hidden layer), y = x·Wᵀ + b, so its outputs need no Spindle code.
///
/// Letters: N rows, F features, T targets.
@Suite struct EvaluatorRegressionTests {
    /// F = 3 → T = 2: W (T, F) row-major, then b (T), the order of `ParameterLayout`.
    static let weights: [Float] = [0.5, -1, 0.25, 2, 0.125, -0.5]
    static let biases: [Float] = [0.1, -3]

    static func network() -> Network {
        Network(spec: ModelSpec(inputCount: 3, hiddenSizes: [], outputCount: 2, loss: .mse),
                parameters: weights + biases)
    }

    /// (N, T) outputs of the linear model, in Double.
    static func predictions(_ x: [Float], rows: Int) -> [Double] {
        (0..<rows).flatMap { r in
            (0..<2).map { t in
                Double(biases[t]) + (0..<3).reduce(0.0) { $0 + Double(x[r * 3 + $1]) * Double(weights[t * 3 + $1]) }
            }
        }
    }

    /// R² = 1 − SS_res / SS_tot, with SS_tot = Σ_t Σ_r (y_rt − ȳ_t)² around each target's mean.
    static func rSquared(predictions: [Double], targets: [Float], rows: Int) -> Double {
        var residual = 0.0, total = 0.0
        for t in 0..<2 {
            let mean = (0..<rows).reduce(0.0) { $0 + Double(targets[$1 * 2 + t]) } / Double(rows)
            for r in 0..<rows {
                residual += pow(predictions[r * 2 + t] - Double(targets[r * 2 + t]), 2)
                total += pow(Double(targets[r * 2 + t]) - mean, 2)
            }
        }
        return 1 - residual / total
    }

    /// 300 rows read in chunks of 64, so the evaluator's per-chunk sums are merged four times.
    /// Target 1 spreads ten times wider than target 0 and lies further from the model, so R²
    /// pooled over the targets differs from their mean R² (a test that the pooling is the one
    /// documented, not only that some R² comes out).
    @Test func reportsTheRSquaredOfItsPredictions() throws {
        let rows = 300
        var random = SplitMix64(seed: 42)
        let x = random.normals(rows * 3)
        let exact = Self.predictions(x, rows: rows)
        let targets: [Float] = (0..<(rows * 2)).map { i in
            Float(i % 2 == 0 ? exact[i] + 0.3 * Double(random.normal()) : 10 * exact[i] + 5 * Double(random.normal()))
        }
        let split = DatasetSplit(name: "mem:/test", rows: rows, featureCount: 3, features: .float32(x),
                                 targets: .values(targets, width: 2))
        let report = try Evaluator(network: Self.network(), workers: 2, shards: 3, chunkRows: 64).evaluate(split)

        let expected = Self.rSquared(predictions: exact, targets: targets, rows: rows)
        let errors = zip(exact, targets).map { $0 - Double($1) }
        // Outputs are float32 sums of three products (relative error ~1e-7 each); the figures
        // are sums over 600 of them, so 1e-5 relative leaves room and still catches any formula
        // slip (a missing mean, a per-target average instead of pooling).
        expectClose(try #require(report.rSquared), expected, relative: 1e-5, "R²")
        expectClose(try #require(report.meanSquaredError), errors.map { $0 * $0 }.reduce(0, +) / 600,
                    relative: 1e-5, "MSE")
        expectClose(try #require(report.meanAbsoluteError), errors.map(abs).reduce(0, +) / 600, relative: 1e-5, "MAE")
        #expect(report.rows == rows && report.accuracy == nil && report.confusion == nil)
        // Pooled, not the mean of per-target R²s.
        let perTarget = (0..<2).map { t in
            Self.rSquared(predictions: exact.enumerated().map { $0.offset % 2 == t ? $0.element : 0 },
                          targets: targets.enumerated().map { $0.offset % 2 == t ? $0.element : 0 }, rows: rows)
        }
        #expect(abs(report.rSquared! - (perTarget[0] + perTarget[1]) / 2) > 1e-3, "\(report.rSquared!) vs \(perTarget)")
    }

    @Test func perfectPredictionsHaveAnRSquaredOfOne() throws {
        let rows = 50
        var random = SplitMix64(seed: 7)
        let x = random.normals(rows * 3)
        let targets = Self.predictions(x, rows: rows).map { Float($0) }
        let split = DatasetSplit(name: "mem:/test", rows: rows, featureCount: 3, features: .float32(x),
                                 targets: .values(targets, width: 2))
        let report = try Evaluator(network: Self.network(), workers: 1, shards: 2).evaluate(split)
        // Float32 outputs against the same values rounded once: SS_res is rounding only.
        expectClose(try #require(report.rSquared), 1, relative: 1e-6, "R²")
    }

    @Test func constantTargetsHaveNoRSquared() throws {
        let split = DatasetSplit(name: "mem:/test", rows: 4, featureCount: 3, features: .float32((0..<12).map { Float($0) }),
                                 targets: .values([Float](repeating: 2, count: 8), width: 2))
        let report = try Evaluator(network: Self.network(), workers: 1, shards: 2).evaluate(split)
        #expect(report.rSquared == nil, "no spread to explain: \(String(describing: report.rSquared))")
        #expect(report.meanSquaredError != nil)
    }
}
