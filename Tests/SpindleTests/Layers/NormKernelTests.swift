@testable import Spindle
import SpindleTestSupport
import Testing

/// The vectorised normalisation loops (`NormKernels`) against the plain ones beside them
/// (`NaiveNormKernels`), for widths around the vector lengths (8 Doubles, 16 Floats) and column
/// ranges that start and end off them. Elementwise passes and column sums add in the plain
/// loop's order, so they must give the same bits; the row sums add in eight lanes, so they
/// agree to Double rounding (1e-12 relative, with room: a lane sum of 1,000 values differs from
/// the sequential one by at most ~1e-13 relative of the sum of magnitudes).
struct NormKernelTests {
    static let widths = [1, 7, 8, 9, 15, 16, 17, 31, 128, 130]

    /// x, a second row, weights: the same draws for every test.
    static func buffers(_ count: Int, seed: UInt64) -> [FloatBuffer] {
        var random = SplitMix64(seed: seed)
        // An offset mean, as normalisation's inputs often have.
        return [FloatBuffer(random.floats(count, -2, 3)), FloatBuffer(random.floats(count, -1, 1)),
                FloatBuffer(random.floats(count, 0.5, 1.5)), FloatBuffer(random.floats(count, -0.5, 0.5))]
    }

    @Test(arguments: widths)
    func rowKernels(width n: Int) {
        let b = Self.buffers(n, seed: UInt64(n)), outputs = (0..<4).map { _ in FloatBuffer(count: n) }
        // The buffers own the memory the raw pointers below address: they must outlive every call.
        withExtendedLifetime((b, outputs)) { rowKernels(b, outputs, width: n) }
    }

    private func rowKernels(_ b: [FloatBuffer], _ outputs: [FloatBuffer], width n: Int) {
        let (x, dy, gamma, beta) = (b[0].base, b[1].base, b[2].base, b[3].base)
        let fast = NormKernels.meanAndSquaredDeviations(x, count: n)
        let plain = NaiveNormKernels.meanAndSquaredDeviations(x, count: n)
        expectClose(fast.mean, plain.mean, relative: 1e-12, absolute: 1e-15, "mean, width \(n)")
        expectClose(fast.squares, plain.squares, relative: 1e-12, "squared deviations, width \(n)")
        let sums = NormKernels.gradientSums(dy, gamma, x, count: n)
        let plainSums = NaiveNormKernels.gradientSums(dy, gamma, x, count: n)
        let magnitude = (0..<n).reduce(0.0) { $0 + abs(Double(dy[$1] * gamma[$1])) * (1 + abs(Double(x[$1]))) }
        expectClose(sums.g, plainSums.g, relative: 0, absolute: 1e-12 * magnitude, "Σ g, width \(n)")
        expectClose(sums.gh, plainSums.gh, relative: 0, absolute: 1e-12 * magnitude, "Σ g·x̂, width \(n)")
        NormKernels.normalizeRow(x, mu: 0.3, r: 1.7, gamma: gamma, beta: beta, xhat: outputs[0].base, y: outputs[1].base, count: n)
        NaiveNormKernels.normalizeRow(x, mu: 0.3, r: 1.7, gamma: gamma, beta: beta, xhat: outputs[2].base, y: outputs[3].base,
                                      count: n)
        expectBitIdentical(outputs[0].array(), outputs[2].array(), "x̂, width \(n)")
        expectBitIdentical(outputs[1].array(), outputs[3].array(), "y, width \(n)")
        NormKernels.layerNormBackwardRow(dy, gamma: gamma, xhat: x, r: 1.3, meanG: 0.2, meanGX: -0.4, dx: outputs[0].base, count: n)
        NaiveNormKernels.layerNormBackwardRow(dy, gamma: gamma, xhat: x, r: 1.3, meanG: 0.2, meanGX: -0.4, dx: outputs[2].base,
                                              count: n)
        expectBitIdentical(outputs[0].array(), outputs[2].array(), "layernorm ∂x, width \(n)")
    }

    /// Channel vectors: x̂ and y of batchnorm's forward, ∂x of its backward.
    @Test(arguments: widths)
    func channelKernels(width n: Int) {
        let b = Self.buffers(n, seed: 100 + UInt64(n)), more = Self.buffers(n, seed: 200 + UInt64(n))
        let outputs = (0..<4).map { _ in FloatBuffer(count: n) }
        withExtendedLifetime((b, more, outputs)) { channelKernels(b, more, outputs, width: n) }
    }

    private func channelKernels(_ b: [FloatBuffer], _ more: [FloatBuffer], _ outputs: [FloatBuffer], width n: Int) {
        NormKernels.normalizeChannels(b[0].base, mean: b[1].base, r: b[2].base, gamma: more[2].base, beta: b[3].base,
                                      xhat: outputs[0].base, y: outputs[1].base, count: n)
        NaiveNormKernels.normalizeChannels(b[0].base, mean: b[1].base, r: b[2].base, gamma: more[2].base, beta: b[3].base,
                                           xhat: outputs[2].base, y: outputs[3].base, count: n)
        expectBitIdentical(outputs[0].array(), outputs[2].array(), "x̂, width \(n)")
        expectBitIdentical(outputs[1].array(), outputs[3].array(), "y, width \(n)")
        NormKernels.batchNormBackwardRow(b[1].base, xhat: b[0].base, k: b[2].base, count: 37, sumDY: more[0].base,
                                         sumDYX: more[1].base, dx: outputs[0].base, width: n)
        NaiveNormKernels.batchNormBackwardRow(b[1].base, xhat: b[0].base, k: b[2].base, count: 37, sumDY: more[0].base,
                                              sumDYX: more[1].base, dx: outputs[2].base, width: n)
        expectBitIdentical(outputs[0].array(), outputs[2].array(), "batchnorm ∂x, width \(n)")
    }

    /// Column sums over 19 rows of 37 columns, for column ranges on and off the lane boundaries.
    @Test(arguments: [0..<37, 3..<37, 0..<8, 5..<21, 16..<32, 36..<37])
    func columnKernels(columns: Range<Int>) {
        let b = Self.buffers(19 * 37, seed: 7), outputs = (0..<4).map { _ in FloatBuffer(count: 37) }
        withExtendedLifetime((b, outputs)) { columnKernels(b, outputs, columns: columns) }
    }

    private func columnKernels(_ b: [FloatBuffer], _ outputs: [FloatBuffer], columns: Range<Int>) {
        let rows = 19, stride = 37
        let mean = (0..<stride).map { Double($0) * 0.01 - 0.1 }
        var fast = [Double](repeating: .nan, count: 2 * stride), plain = fast
        mean.withUnsafeBufferPointer { mu in
            for deviations in [nil, mu.baseAddress] {
                NormKernels.columnSums(b[0].base, rows: rows, stride: stride, columns: columns, deviationsFrom: deviations,
                                       into: &fast)
                NaiveNormKernels.columnSums(b[0].base, rows: rows, stride: stride, columns: columns, deviationsFrom: deviations,
                                            into: &plain)
                #expect(fast[columns] == plain[columns], "column sums \(deviations == nil ? "of x" : "of (x − μ)²"), \(columns)")
            }
        }
        var fastProducts = fast, plainProducts = plain
        NormKernels.columnGradientSums(b[1].base, b[0].base, rows: rows, stride: stride, columns: columns, sums: &fast,
                                       products: &fastProducts)
        NaiveNormKernels.columnGradientSums(b[1].base, b[0].base, rows: rows, stride: stride, columns: columns, sums: &plain,
                                            products: &plainProducts)
        #expect(fast[columns] == plain[columns] && fastProducts[columns] == plainProducts[columns], "Σ g, Σ g·h, \(columns)")
        NormKernels.productColumnSums(b[1].base, b[0].base, rows: rows, stride: stride, columns: columns,
                                      products: outputs[0].base, sums: outputs[1].base)
        NaiveNormKernels.productColumnSums(b[1].base, b[0].base, rows: rows, stride: stride, columns: columns,
                                           products: outputs[2].base, sums: outputs[3].base)
        expectBitIdentical(outputs[0].array(columns), outputs[2].array(columns), "Σ dy·x̂, \(columns)")
        expectBitIdentical(outputs[1].array(columns), outputs[3].array(columns), "Σ dy, \(columns)")
    }
}
