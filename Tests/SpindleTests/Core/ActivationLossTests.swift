import Foundation
@testable import Spindle
import Testing

/// Each activation's derivative (from its output, or for GELU and SiLU its input) against finite differences of its `apply`, its values
/// against Double references, and the numerical guards at extreme inputs; the loss kernels at
/// extreme logits against closed forms.
struct ActivationLossTests {
    static let grid: [Float] = stride(from: -6, through: 6, by: 0.25).map { Float($0) + 0.01 }

    /// f' from a = f(z) against (f(z + h) − f(z − h)) / 2h in float32 with h = 1e-2.
    /// Tolerance: the central difference's truncation error is h²/6·|f'''| ≤ 2e-5 for sigmoid
    /// (|f'''| ≤ 1/8) and ≤ 4e-5 for tanh (|f'''| ≤ 2); float32 rounding of f (≤ 1 ulp of 1 ≈ 6e-8)
    /// adds ~6e-6 after dividing by 2h; 1e-4 covers both (GELU's |f‴| ≤ 1.2 and SiLU's ≤ 0.5
    /// stay within it). The grid is offset by 0.01 from whole numbers so that ReLU's kink at 0
    /// is never inside [z − h, z + h].
    @Test(arguments: Activation.allCases)
    func derivativeMatchesFiniteDifferences(_ f: Activation) {
        let h: Float = 1e-2
        for z in Self.grid {
            let numeric = (Double(f.apply(z + h)) - Double(f.apply(z - h))) / (Double(z + h) - Double(z - h))
            let analytic = Double(f.derivative(input: z, output: f.apply(z)))
            #expect(abs(analytic - numeric) <= 1e-4, "\(f)'(\(z)) = \(analytic), finite difference \(numeric)")
        }
    }

    /// f(z) against a Double evaluation of the textbook formula; within 4 float32 ulps of the
    /// result's magnitude (libm's expf/tanhf are within 1–2 ulp, plus one division; SiLU's extra
    /// product is allowed 2 more). GELU's 1 + erf(z/√2) cancels for z < 0: its float32 rounding
    /// (≤ 1 ulp of 1 ≈ 1.2e-7) times z/2 is allowed on top, absolutely.
    @Test(arguments: Activation.allCases)
    func valuesMatchDoubleFormulas(_ f: Activation) {
        for z in Self.grid {
            let x = Double(z)
            let expected: Double
            switch f {
            case .relu: expected = max(x, 0)
            case .sigmoid: expected = 1 / (1 + Foundation.exp(-x))
            case .tanh: expected = Foundation.tanh(x)
            case .gelu: expected = 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
            case .silu: expected = x / (1 + Foundation.exp(-x))
            }
            let ulps: Double = f == .silu ? 6 : 4
            let cancellation = f == .gelu ? 1.2e-7 * abs(x) : 0
            let tolerance = ulps * Double(Float.ulpOfOne) * max(abs(expected), Double(Float.leastNormalMagnitude))
                + cancellation
            #expect(abs(Double(f.apply(z)) - expected) <= tolerance, "\(f)(\(z))")
        }
    }

    /// Saturating inputs: values finite and exactly at their limits, derivatives finite (0 at
    /// saturation for sigmoid and tanh, where the output rounds to its limit in float32). The
    /// unbounded ones (ReLU, GELU, SiLU) reach ±∞ only from ±∞, and GELU and SiLU give NaN at −∞
    /// (−∞ · 0), as PyTorch's do.
    @Test(arguments: Activation.allCases)
    func extremeInputsStayFinite(_ f: Activation) {
        let huge: [Float] = [1e4, 1e30, .greatestFiniteMagnitude, .infinity]
        for z in huge {
            for input in [z, -z] {
                let a = f.apply(input)
                let unbounded = f == .relu || f == .gelu || f == .silu
                #expect(a.isFinite || (unbounded && input.isInfinite), "\(f)(\(input)) = \(a)")
                if f == .sigmoid || f == .tanh { #expect(f.derivative(output: a) == 0, "\(f)'(\(input))") }
                if input.isFinite { #expect(f.derivative(input: input, output: a).isFinite, "\(f)'(\(input))") }
            }
        }
        #expect(Activation.sigmoid.apply(1e4) == 1)
        #expect(Activation.sigmoid.apply(-1e4) == 0)
        #expect(Activation.tanh.apply(1e4) == 1)
        #expect(Activation.tanh.apply(-1e4) == -1)
        #expect(Activation.relu.apply(-1e4) == 0)
    }

    /// Softmax cross-entropy at logits ±1e4: the log-sum-exp shift must keep everything finite.
    /// Closed forms: with logits (1e4, −1e4, 0), softmax is (1, 0, 0) in float32, so the loss of
    /// label 0 is 0, of label 1 is 2e4 and of label 2 is 1e4, and ∂/∂z = (p − onehot)/B.
    @Test func softmaxCrossEntropyAtExtremeLogits() {
        let z: [Float] = [1e4, -1e4, 0, 1e4, -1e4, 0, 1e4, -1e4, 0, -1e4, -1e4, -1e4]
        let labels: [Int32] = [0, 1, 2, 2]
        var dz = [Float](repeating: .nan, count: 12), loss = [Float](repeating: .nan, count: 4)
        var predicted = [Int32](repeating: -1, count: 4)
        LossKernels.softmaxCrossEntropy(z, rows: 4, classes: 3, labels: labels, gradientScale: 0.25,
                                        dz: &dz, rowLoss: &loss, predicted: &predicted)
        // Exact: exp(−2e4) and exp(−1e4) underflow to 0, log(1) = 0, and 1e4, 2e4 are exact floats.
        #expect(loss[0] == 0)
        #expect(loss[1] == 2e4)
        #expect(loss[2] == 1e4)
        // Equal logits: softmax 1/3 each, loss log 3. The kernel forms (log Σ + max) − z_y, and
        // log 3 − 1e4 rounds to float32's spacing near 1e4 (2⁻¹⁰ ≈ 9.8e-4): half of it is allowed.
        #expect(abs(Double(loss[3]) - Foundation.log(3.0)) <= 0x1p-11)
        #expect(dz.allSatisfy { $0.isFinite }, "dz = \(dz)")
        #expect(Array(dz[0..<3]) == [0, 0, 0])
        #expect(Array(dz[3..<6]) == [0.25, -0.25, 0])
        #expect(Array(dz[6..<9]) == [0.25, 0, -0.25])
        for (j, g) in dz[9..<12].enumerated() {
            let expected = (1.0 / 3 - (j == 2 ? 1 : 0)) * 0.25
            #expect(abs(Double(g) - expected) <= 1e-7, "dz[3, \(j)]")
        }
        #expect(predicted[0] == 0 && predicted[1] == 0 && predicted[2] == 0)
    }

    /// MSE against its definition: mean over T of (z − y)², gradient 2(z − y)/(T·B). Exact here:
    /// all values are small dyadic rationals.
    @Test func meanSquaredErrorMatchesDefinition() {
        let z: [Float] = [1, 2, 0.5, -1]
        let y: [Float] = [0, 2, 1, 1]
        var dz = [Float](repeating: .nan, count: 4), loss = [Float](repeating: .nan, count: 2)
        LossKernels.meanSquaredError(z, rows: 2, width: 2, targets: y, gradientScale: 0.5,
                                     dz: &dz, rowLoss: &loss)
        #expect(loss == [0.5, 2.125])
        #expect(dz == [0.5, 0, -0.25, -1])
    }
}
