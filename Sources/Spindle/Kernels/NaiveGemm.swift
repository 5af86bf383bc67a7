/// The reference beside `BLAS.sgemm`: the textbook triple loop, accumulating in Double so that
/// it is an independent check of the fast kernel (tests compare the two within a tolerance).
public enum NaiveGemm {
    /// C = alpha · op(A) · op(B) + beta · C, row-major, same conventions as `BLAS.sgemm`.
    public static func sgemm(
        _ transA: BLAS.Transpose, _ transB: BLAS.Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: [Float], lda: Int,
        b: [Float], ldb: Int,
        beta: Float = 0,
        c: inout [Float], ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += Double(aip) * Double(bpj)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + old)
            }
        }
    }
}
