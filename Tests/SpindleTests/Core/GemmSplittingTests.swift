import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// The BLAS fact the step engine's determinism rests on (DESIGN.md: "Keep such facts in tests,
/// not in faith"): the same call — same shapes, same operands at the same addresses — gives the
/// same bits every time, whichever thread makes it and whatever other calls run beside it.
///
/// The engine relies on nothing more. In particular it never assumes that cutting a product into
/// row or unit blocks gives the bits of one call: with OpenBLAS 0.3.21 that is false (the Prescott
/// kernels take a different tail kernel for odd row counts; SkylakeX switches to its small-matrix
/// kernel below M·N·K = 64³), so the engine cuts work into fixed tiles that do not depend on the
/// worker count (`WorkerPool`, `TrainingConfig.shards`), and this test checks exactly that use.
struct GemmSplittingTests {
    init() { BLAS.configureSingleThreaded() }  // as the engine runs it (DESIGN.md contract 7)

    static let blas = BLAS.description

    /// Each case is cut into 8 fixed tiles along M, as the engine cuts rows (phase A) and units
    /// (phase B); the tiles are computed serially, then concurrently by 2, 3, 4 and 8 workers.
    @Test(arguments: [
        (BLAS.Transpose.none, BLAS.Transpose.transposed, 256, 512, 784),  // forward, layer 0
        (.none, .transposed, 256, 10, 256),                                // forward, output layer
        (.none, .none, 256, 256, 10),                                       // backward-data
        (.transposed, .none, 512, 784, 256),                                // dW, K = batch
        (.none, .transposed, 37, 7, 13),                                    // ragged, tiny
    ])
    func tilesGiveTheSameBitsOnAnyWorkerCount(
        transA: BLAS.Transpose, transB: BLAS.Transpose, m: Int, n: Int, k: Int
    ) {
        var random = SplitMix64(seed: UInt64(m * 1_000 + n * 10 + k))
        let lda = transA == .none ? k : m, ldb = transB == .none ? n : k
        let a = random.floats(m * k, -1, 1), b = random.floats(k * n, -0.1, 0.1)
        let tiles = 8
        let serial = (0..<tiles).flatMap { t in
            product(transA, transB, rows: Partition.part(m, index: t, of: tiles), n: n, k: k,
                    a: a, lda: lda, b: b, ldb: ldb)
        }
        for workers in [2, 3, 4, 8] {
            let pool = WorkerPool(count: workers)
            let results = TileResults(tiles)
            pool.run { w in
                for t in pool.tiles(tiles, worker: w) {
                    results.set(t, product(transA, transB, rows: Partition.part(m, index: t, of: tiles),
                                           n: n, k: k, a: a, lda: lda, b: b, ldb: ldb))
                }
            }
            expectBitIdentical(results.joined, serial,
                               "\(m)×\(n)×\(k) in \(tiles) tiles on \(workers) workers, \(Self.blas)")
        }
    }

    /// Rows `rows` of op(A) · op(B) as a fresh (rows.count, n) array, computed in one BLAS call
    /// that starts at row `rows.lowerBound` of op(A): the pointer offset the engine uses.
    private func product(
        _ transA: BLAS.Transpose, _ transB: BLAS.Transpose, rows: Range<Int>, n: Int, k: Int,
        a: [Float], lda: Int, b: [Float], ldb: Int
    ) -> [Float] {
        var c = [Float](repeating: 0, count: rows.count * n)
        guard !rows.isEmpty else { return c }
        // Row r of op(A) starts at r·lda when A is stored as is, at column r when transposed.
        let offset = transA == .none ? rows.lowerBound * lda : rows.lowerBound
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transA, transB, m: rows.count, n: n, k: k,
                               a: a.baseAddress! + offset, lda: lda, b: b.baseAddress!, ldb: ldb,
                               c: c.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }
}

/// Per-tile results written by concurrent workers, each to its own slot.
private final class TileResults: @unchecked Sendable {
    private var slots: [[Float]]
    private let lock = NSLock()
    init(_ count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ tile: Int, _ values: [Float]) { lock.withLock { slots[tile] = values } }
    var joined: [Float] { lock.withLock { slots.flatMap { $0 } } }
}
