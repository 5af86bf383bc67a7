import Spindle
import SpindleTestSupport
import Testing

/// `BLAS.sgemm` against `NaiveGemm`, the Double-accumulating triple loop beside it (STYLE.md
/// habit 6): every transpose combination, odd shapes, alpha/beta, padded leading dimensions.
struct GemmTests {
    init() { BLAS.configureSingleThreaded() }  // as the engine runs it (DESIGN.md contract 7)

    struct Case: Sendable, CustomTestStringConvertible {
        var transA: BLAS.Transpose, transB: BLAS.Transpose
        var m: Int, n: Int, k: Int
        var alpha: Float, beta: Float
        /// Extra elements at the end of every stored row of A, B and C.
        var padding: Int
        var testDescription: String {
            "\(transA)×\(transB) \(m)×\(n)×\(k) α=\(alpha) β=\(beta) pad \(padding)"
        }
    }

    static let cases: [Case] = {
        let transposes: [(BLAS.Transpose, BLAS.Transpose)] =
            [(.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)]
        let shapes = [(1, 1, 1), (7, 13, 5), (33, 17, 65), (64, 3, 129)]
        let scalars: [(Float, Float, Int)] = [(1, 0, 0), (0.75, 0.5, 3), (-1.5, 1, 1)]
        return transposes.flatMap { t in
            shapes.flatMap { s in
                scalars.map { c in
                    Case(transA: t.0, transB: t.1, m: s.0, n: s.1, k: s.2,
                         alpha: c.0, beta: c.1, padding: c.2)
                }
            }
        }
    }()

    /// Tolerance: the standard bound for a float32 dot product of length K, |ĉ − c| ≤ γ_K · S with
    /// γ_K ≈ K·u (u = 2⁻²⁴) and S = |α|·Σ|a||b| + |β|·|c| per element; we allow (K + 2)·u·S to
    /// cover the scaling and the reference's own final rounding. Padding must stay untouched.
    @Test(arguments: cases)
    func matchesNaive(_ c: Case) {
        var random = SplitMix64(seed: UInt64(c.m * 10_007 + c.n * 101 + c.k))
        // Stored shapes: A is (M, K) or (K, M); B is (K, N) or (N, K); C is (M, N).
        let (aRows, aCols) = c.transA == .none ? (c.m, c.k) : (c.k, c.m)
        let (bRows, bCols) = c.transB == .none ? (c.k, c.n) : (c.n, c.k)
        let lda = aCols + c.padding, ldb = bCols + c.padding, ldc = c.n + c.padding
        let a = random.floats(aRows * lda), b = random.floats(bRows * ldb)
        let c0 = random.floats(c.m * ldc)
        var fast = c0, slow = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { out in
                    BLAS.sgemm(c.transA, c.transB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                               a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                               beta: c.beta, c: out.baseAddress!, ldc: ldc)
                }
            }
        }
        NaiveGemm.sgemm(c.transA, c.transB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: c.beta, c: &slow, ldc: ldc)
        let u = Double(Float.ulpOfOne) / 2
        var failures = 0
        for i in 0..<c.m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < c.n else {
                    #expect(fast[index].bitPattern == c0[index].bitPattern, "padding written at \(i),\(j)")
                    continue
                }
                var s = 0.0
                for p in 0..<c.k {
                    let aip = c.transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bpj = c.transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    s += abs(Double(aip) * Double(bpj))
                }
                s = abs(Double(c.alpha)) * s + abs(Double(c.beta) * Double(c0[index]))
                let error = abs(Double(fast[index]) - Double(slow[index]))
                if !(error <= Double(c.k + 2) * u * s) && failures < 3 {
                    failures += 1
                    Issue.record("C[\(i),\(j)] = \(fast[index]), naive \(slow[index]), bound \(Double(c.k + 2) * u * s)")
                }
            }
        }
    }

    /// β = 0 means C is not read (BLAS convention): NaN in C must not leak into the result.
    @Test func zeroBetaIgnoresOldC() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]  // (2, 3)
        let b: [Float] = [1, 0, 0, 1, 1, 1]  // (3, 2)
        var fast = [Float](repeating: .nan, count: 4), slow = fast
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { out in
                    BLAS.sgemm(.none, .none, m: 2, n: 2, k: 3, a: a.baseAddress!, lda: 3,
                               b: b.baseAddress!, ldb: 2, beta: 0, c: out.baseAddress!, ldc: 2)
                }
            }
        }
        NaiveGemm.sgemm(.none, .none, m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, beta: 0,
                        c: &slow, ldc: 2)
        // Small integers: exact in float32 whatever the summation order.
        #expect(fast == [4, 5, 10, 11])
        #expect(slow == [4, 5, 10, 11])
    }
}
