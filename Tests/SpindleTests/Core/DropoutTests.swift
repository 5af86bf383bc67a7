@testable import Spindle
import Testing

/// The dropout kernel (C, vectorised) against the naive reference: Swift's `Philox` drawing each
/// unit's number one by one. Exact: both must give the same mask bits.
struct DropoutTests {
    @Test(arguments: [(3, 10, 5, 0.3), (2, 4, 0, 0.5), (4, 7, 123, 0.1)])
    func maskMatchesPhilox(rows: Int, units: Int, firstRow: Int, probability: Double) {
        let p = Float(probability)
        let draw = DenseKernels.DropoutDraw(probability: p, seed: 0xDEAD_BEEF_1234, step: 77, layer: 2)
        let z = FloatBuffer((0..<(rows * units)).map { Float($0 % 5) - 1 })
        let zero = FloatBuffer(count: units)
        let next = FloatBuffer(count: rows * units), mask = FloatBuffer(count: rows * units)
        DenseKernels.biasActivation(z.base, rows: rows, units: units, bias: zero.base, activation: .relu,
                                    dropout: draw, firstRow: firstRow, next: next.base, mask: mask.base)
        let stream = RandomPurpose.dropout.rawValue << 16 | 2
        for r in 0..<rows {
            for j in 0..<units {
                let block = Philox.block((UInt32(j / 4), UInt32(firstRow + r), stream, 77), key: draw.seed)
                let keep = Philox.unitFloat(Philox.word(block, j % 4)) >= p
                let expected: Float = keep ? 1 / (1 - p) : 0
                #expect(mask[r * units + j] == expected, "mask[\(r), \(j)]")
                #expect(next[r * units + j] == z[r * units + j] * expected, "next[\(r), \(j)]")
            }
        }
    }

    /// Over many draws the dropped fraction is p (binomial: 6 standard deviations).
    @Test func dropsTheRightFraction() {
        let rows = 200, units = 500, p: Float = 0.3
        let z = FloatBuffer((0..<(rows * units)).map { _ in 1 }), zero = FloatBuffer(count: units)
        let next = FloatBuffer(count: rows * units), mask = FloatBuffer(count: rows * units)
        DenseKernels.biasActivation(z.base, rows: rows, units: units, bias: zero.base, activation: .relu,
                                    dropout: .init(probability: p, seed: 9, step: 0, layer: 0),
                                    firstRow: 0, next: next.base, mask: mask.base)
        let dropped = Double(mask.array().filter { $0 == 0 }.count), n = Double(rows * units)
        let sd = (n * Double(p) * Double(1 - p)).squareRoot()
        #expect(abs(dropped - n * Double(p)) < 6 * sd)
    }
}
