import Dispatch
import Spindle

/// The GEMM calls of one training step of a model given as a layer list, with the shapes the
/// engine uses (StepEngine, DenseLayer, ConvLayer), so that the same products can be timed alone:
///
/// - phase A, per row tile of R = B/S rows: forward (R·P, O) = (R·P, I) · Wᵀ and, for every
///   layer after the first trained one, backward-data (R·P, I) = (R·P, O) · W, a conv's in runs of
///   n images (n·P rows, n = max(1, 2¹⁸ / (P·Q)), as ConvLayer.imagesPerPass);
/// - phase B, per unit tile of U = O/S units: dW (U, I) = dZᵀ (U, B·P) · X (B·P, I).
///
/// P is 1 for a dense layer and a conv's output positions; I is a conv's patch width C_in·K².
struct StepProduct {
    var transA: BLAS.Transpose, transB: BLAS.Transpose
    var m: Int, n: Int, k: Int
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

enum StepProducts {
    static func of(_ spec: ModelSpec, batch b: Int, shards s: Int) throws -> [StepProduct] {
        var products: [StepProduct] = [], trained = false
        func tiles(_ count: Int) -> [Int] { (0..<s).map { Partition.part(count, index: $0, of: s).count }.filter { $0 > 0 } }
        func layer(inputs i: Int, outputs o: Int, positions p: Int, runImages: Int?) {
            for rows in tiles(b) {
                products.append(StepProduct(transA: .none, transB: .transposed, m: rows * p, n: o, k: i))
                guard trained else { continue }
                let run = runImages ?? rows
                for first in stride(from: 0, to: rows, by: run) {
                    products.append(StepProduct(transA: .none, transB: .none, m: min(run, rows - first) * p, n: i, k: o))
                }
            }
            for units in tiles(o) {
                products.append(StepProduct(transA: .transposed, transB: .none, m: units, n: i, k: b * p))
            }
            trained = true
        }
        func walk(_ list: [LayerSpec], from input: TensorShape) throws -> TensorShape {
            var shape = input
            for term in list {
                switch term {
                case let .dense(units, _):
                    layer(inputs: shape.count, outputs: units, positions: 1, runImages: nil)
                case let .conv(channels, kernel, _, _, _):
                    let out = try term.outputShape(from: shape).image!, patch = shape.image!.channels * kernel * kernel
                    layer(inputs: patch, outputs: channels, positions: out.positions,
                          runImages: max(1, (1 << 18) / (out.positions * patch)))
                case let .residual(body):
                    _ = try walk(body, from: shape)
                default:
                    break
                }
                shape = try term.outputShape(from: shape)
            }
            return shape
        }
        _ = try walk(spec.allLayers, from: spec.inputTensorShape)
        return products
    }

    /// Aggregate GFLOP/s of `threads` threads each running, concurrently, single-threaded sgemm
    /// over `products` (the ceiling for that many workers now), and the seconds one pass over
    /// them takes on one thread alone.
    static func ceiling(_ products: [StepProduct], threads: Int = 1) -> (gflops: Double, secondsPerPass: Double) {
        let largest = products.map { max($0.m * $0.k, $0.k * $0.n, $0.m * $0.n) }.max() ?? 1
        let operands = (0..<threads).map { _ in
            (a: FloatBuffer([Float](repeating: 0.5, count: largest)), b: FloatBuffer([Float](repeating: 0.25, count: largest)),
             c: FloatBuffer(count: largest))
        }
        let flops = products.reduce(0) { $0 + $1.flops }
        let repeats = max(2, Int(2e10 / max(flops, 1)))
        let pool = WorkerPool(count: threads)
        let start = DispatchTime.now().uptimeNanoseconds
        pool.run { t in
            let a = operands[t].a.base, bb = operands[t].b.base, c = operands[t].c.base
            for _ in 0..<repeats {
                for p in products {
                    let lda = p.transA == .none ? p.k : p.m, ldb = p.transB == .none ? p.n : p.k
                    BLAS.sgemm(p.transA, p.transB, m: p.m, n: p.n, k: p.k, a: a, lda: lda, b: bb, ldb: ldb, c: c, ldc: p.n)
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Double(threads * repeats) * flops / seconds / 1e9, seconds / Double(repeats))
    }
}
