import Dispatch
import Spindle

/// The measurements the benchmark compares.
enum Workload {
    /// A split of uniform random features and labels (the values do not affect the speed).
    static func randomSplit(rows: Int, features: Int, classes: Int) -> DatasetSplit {
        var generator = SystemRandomNumberGenerator()
        let x = (0..<(rows * features)).map { _ in Float.random(in: 0..<1, using: &generator) }
        let y = (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &generator) }
        return DatasetSplit(name: "random", rows: rows, featureCount: features,
                            features: .float32(x), targets: .labels(y))
    }

    /// Samples per second of Adam training steps (after two warm-up steps), and where their time went.
    static func trainingThroughput(spec: ModelSpec, data: DatasetSplit, batch: Int, workers: Int,
                                   steps: Int) -> (samplesPerSecond: Double, timings: StepTimings) {
        let network = Network(spec: spec, seed: 1)
        let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .adam), workers: workers,
                                shards: workers,
                                maxBatch: batch, seed: 1)
        let batchesInData = data.rows / batch
        let order = Array(0..<data.rows)
        func run(_ step: Int) {
            let lower = (step % batchesInData) * batch
            let scalars = engine.optimizer.scalars(step: step + 1, learningRate: 1e-3)
            engine.step(Batch(split: data, indices: order[lower..<(lower + batch)]), step: step, update: scalars)
        }
        run(0); run(1)
        engine.timings = StepTimings()
        let start = DispatchTime.now().uptimeNanoseconds
        for step in 2..<(steps + 2) { run(step) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Double(steps * batch) / seconds, engine.timings)
    }

    /// Aggregate GFLOP/s of `threads` threads each running, concurrently, single-threaded sgemm
    /// over exactly the products of one training step (the ceiling for that many workers on
    /// this machine, now: shared caches, memory bandwidth and clock speed included).
    static func sgemmCeiling(spec: ModelSpec, batch b: Int, threads: Int = 1) -> Double {
        let widths = spec.widths
        let largest = widths.max()! * max(b, widths.max()!)
        // Each thread its own operands, as each worker has its own rows and units.
        let operands = (0..<threads).map { _ in
            (a: FloatBuffer([Float](repeating: 0.5, count: largest)),
             w: FloatBuffer([Float](repeating: 0.25, count: largest)),
             c: FloatBuffer(count: largest))
        }
        var flopsPerRepeat = 0.0
        for l in 0..<(widths.count - 1) {
            flopsPerRepeat += Double((l > 0 ? 6 : 4) * b * widths[l] * widths[l + 1])
        }
        let repeats = 20
        let pool = WorkerPool(count: threads)
        let start = DispatchTime.now().uptimeNanoseconds
        pool.run { t in
            let a = operands[t].a.base, w = operands[t].w.base, c = operands[t].c.base
            for _ in 0..<repeats {
                for l in 0..<(widths.count - 1) {
                    let nIn = widths[l], nOut = widths[l + 1]
                    // forward: (B, nIn) · (nOut, nIn)ᵀ
                    BLAS.sgemm(.none, .transposed, m: b, n: nOut, k: nIn, a: a, lda: nIn, b: w, ldb: nIn, c: c, ldc: nOut)
                    // weight gradient: (B, nOut)ᵀ · (B, nIn)
                    BLAS.sgemm(.transposed, .none, m: nOut, n: nIn, k: b, a: a, lda: nOut, b: w, ldb: nIn, c: c, ldc: nIn)
                    // backward-data: (B, nOut) · (nOut, nIn); layer 0 has none
                    if l > 0 {
                        BLAS.sgemm(.none, .none, m: b, n: nIn, k: nOut, a: a, lda: nOut, b: w, ldb: nIn, c: c, ldc: nIn)
                    }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(threads * repeats) * flopsPerRepeat / seconds / 1e9
    }
}

extension Array where Element == Double {
    var median: Double {
        let sorted = self.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
