import Foundation
@testable import Spindle
import SpindleTestSupport
import Testing

/// BatchNormLayer per channel over rows × positions (`BatchNormLayer(channels:positions:offset:)`,
/// channels-last rows), alone in a `LayerHarness`: against PyTorch's nn.BatchNorm2d / BatchNorm1d
/// in float64 (Reference/make_batchnorm2d_reference.py wrote Reference/batchnorm2d_reference.json),
/// and against central finite differences of its own loss.
struct BatchNormChannelTests {
    struct Fixture: Decodable {
        let cases: [Reference]
    }

    struct Reference: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let rows: Int, positions: Int, channels: Int
        /// (B, P, C) channels-last, like everything below but the per-channel vectors.
        let x: [Float], upstream: [Float]
        /// weight, bias, running_mean, running_var: (C) each.
        let parameters: [Float]
        let y: [Double], dx: [Double], dweight: [Double], dbias: [Double]
        let running_mean: [Double], running_var: [Double], y_eval: [Double]
        var testDescription: String { name }
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/batchnorm2d_reference.json")
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("cannot read \(url.path): \(error)")
        }
    }()

    /// Float32 against float64: each value goes through a few operations (~1e-6 relative), and
    /// ∂L/∂x is a difference of terms of the size of N·|∂L/∂y|, so every array also allows
    /// 1e-5 of its largest magnitude (as NormReferenceTests). "wide_mean" (x near 300, σ ≈ 1.5)
    /// passes the same bound: the variance is summed about the mean, not as E[x²] − μ².
    static func floor(_ values: [Double], _ r: Reference) -> Double {
        1e-5 * (values.map(abs).max() ?? 0)
    }

    @Test(arguments: fixture.cases)
    func matchesPyTorch(_ r: Reference) {
        var first: (y: [Float], dx: [Float], dp: [Float])? = nil
        // One tile, and more tiles than some cases have rows or channels: the same bits.
        for tiles in [1, 3, 5] {
            let layer = BatchNormLayer(channels: r.channels, positions: r.positions, offset: 0)
            let harness = LayerHarness(layer, rows: r.rows, parameters: r.parameters)
            let y = harness.forward(r.x, tiles: tiles)
            let (dx, dp) = harness.backward(r.upstream, tiles: tiles)
            let c = r.channels, what = "\(r.name), \(tiles) tiles"
            expectClose(y, r.y, relative: 1e-5, absolute: Self.floor(r.y, r), "y, \(what)")
            expectClose(dx, r.dx, relative: 1e-5, absolute: Self.floor(r.dx, r), "∂L/∂x, \(what)")
            expectClose(Array(dp[0..<c]), r.dweight, relative: 1e-5, absolute: Self.floor(r.dweight, r), "∂L/∂weight, \(what)")
            expectClose(Array(dp[c..<(2 * c)]), r.dbias, relative: 1e-5, absolute: Self.floor(r.dbias, r), "∂L/∂bias, \(what)")
            #expect(dp[(2 * c)...].allSatisfy { $0 == 0 }, "the running statistics get no gradient, \(what)")
            let p = harness.parameters.array()
            expectClose(Array(p[(2 * c)..<(3 * c)]), r.running_mean, relative: 1e-5,
                        absolute: Self.floor(r.running_mean, r), "running_mean, \(what)")
            expectClose(Array(p[(3 * c)..<(4 * c)]), r.running_var, relative: 1e-5,
                        absolute: Self.floor(r.running_var, r), "running_var, \(what)")
            let evaluated = harness.evaluate(r.x, tiles: tiles)
            expectClose(evaluated, r.y_eval, relative: 1e-5, absolute: Self.floor(r.y_eval, r), "evaluation y, \(what)")
            if let first {
                expectBitIdentical(y, first.y, "y, \(what) vs 1 tile")
                expectBitIdentical(dx, first.dx, "∂L/∂x, \(what) vs 1 tile")
                expectBitIdentical(dp, first.dp, "∂L/∂θ, \(what) vs 1 tile")
            } else {
                first = (y, dx, dp)
            }
        }
    }

    /// ∂L/∂x, ∂L/∂weight and ∂L/∂bias for L = Σ y · G against central differences of L, for
    /// images in two rows and a single image. Tolerance as `expectGradientMatchesFiniteDifferences`:
    /// float32 central differences with h = 1e-2 carry noise ~1e-5 and truncation ~2e-5 for O(1)
    /// values; a wrong factor or a missing term of the statistics' derivative is ≥ 30 % off.
    @Test(arguments: [(2, 6, 3), (1, 4, 2), (3, 1, 4)])
    func gradientMatchesFiniteDifferences(rows: Int, positions: Int, channels: Int) {
        var random = SplitMix64(seed: 41)
        let width = positions * channels
        var x = random.floats(rows * width, -2, 2)
        let upstream = random.floats(rows * width, -1, 1)
        let parameters = random.floats(2 * channels, 0.5, 1.5) + [Float](repeating: 0, count: channels)
            + [Float](repeating: 1, count: channels)
        let layer = BatchNormLayer(channels: channels, positions: positions, offset: 0)
        let harness = LayerHarness(layer, rows: rows, parameters: parameters)
        func loss(_ x: [Float]) -> Double {
            zip(harness.forward(x, tiles: 2), upstream).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = harness.forward(x, tiles: 2)
        let (dx, dp) = harness.backward(upstream, tiles: 2)
        let h: Float = 1e-2
        func central(_ change: (Float) -> Void, at original: Float) -> Double {
            change(original + h)
            let plus = loss(x)
            change(original - h)
            let minus = loss(x)
            change(original)
            return (plus - minus) / (Double(original + h) - Double(original - h))
        }
        let numericX = (0..<x.count).map { i in central({ x[i] = $0 }, at: x[i]) }
        let numericP = (0..<(2 * channels)).map { i in central({ harness.parameters[i] = $0 }, at: harness.parameters[i]) }
        let what = "\(rows) rows × \(positions) positions × \(channels) channels"
        expectClose(dx, numericX, relative: 1e-2, absolute: 5e-4, "∂L/∂x, \(what)")
        expectClose(Array(dp[0..<(2 * channels)]), numericP, relative: 1e-2, absolute: 5e-4, "∂L/∂(weight, bias), \(what)")
        #expect(dx.map(abs).max()! > 1e-2 && dp.map(abs).max()! > 1e-2, "a gradient worth checking, \(what)")
    }
}
