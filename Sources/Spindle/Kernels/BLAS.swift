#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one place Spindle calls BLAS. Row-major single-precision GEMM and its configuration.
///
/// Parallelism is Spindle's own (one Dispatch worker per core), so every BLAS call must run
/// single-threaded in its caller: `configureSingleThreaded()` runs once before the first call.
public enum BLAS {
    /// Whether a matrix operand is used as stored or transposed.
    public enum Transpose: Sendable { case none, transposed }

    /// Makes every BLAS call run on its calling thread only (DESIGN.md contract 7).
    public static func configureSingleThreaded() { _ = singleThreaded }

    private static let singleThreaded: Bool = {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
        return true
    }()

    /// A short description of the BLAS in use, for logs and benchmarks.
    public static var description: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config)  // "OpenBLAS 0.3.21 DYNAMIC_ARCH …"
        #endif
    }

    /// The kernel family the BLAS chose for this CPU (OpenBLAS: e.g. "SkylakeX").
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        #endif
    }

    /// C = alpha · op(A) · op(B) + beta · C, all row-major.
    ///
    /// op(A) is (M, K), op(B) is (K, N), C is (M, N). `lda`, `ldb`, `ldc` are the row strides in
    /// elements of A, B and C as stored (before any transpose).
    @inline(__always)
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
        guard m > 0, n > 0 else { return }
        let ta = transA == .none ? CblasNoTrans : CblasTrans
        let tb = transB == .none ? CblasNoTrans : CblasTrans
        cblas_sgemm(
            CblasRowMajor, ta, tb,
            blasInt(m), blasInt(n), blasInt(k),
            alpha, a, blasInt(lda), b, blasInt(ldb),
            beta, c, blasInt(ldc))
    }

    #if canImport(Accelerate)
    @inline(__always) private static func blasInt(_ x: Int) -> Int32 { Int32(x) }
    #else
    @inline(__always) private static func blasInt(_ x: Int) -> blasint { blasint(x) }
    #endif
}
