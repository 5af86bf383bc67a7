import Foundation

/// Runs a trained network forward over a whole split, in chunks of rows shared among workers.
public final class Evaluator: @unchecked Sendable {
    public let network: Network
    let pool: WorkerPool
    let shards: Int
    let workspace: Workspace

    /// - Parameters:
    ///   - shards: fixed row tiles per chunk; results depend on it, never on `workers`.
    ///   - chunkRows: rows evaluated per parallel pass (memory: chunkRows × widest layer).
    public convenience init(network: Network, workers: Int, shards: Int, chunkRows: Int = 1024) {
        self.init(network: network, pool: WorkerPool(count: workers), shards: shards, chunkRows: chunkRows)
    }

    /// An evaluator that shares the worker threads of `pool` (e.g. a trainer's).
    public init(network: Network, pool: WorkerPool, shards: Int, chunkRows: Int = 1024) {
        BLAS.configureSingleThreaded()
        self.network = network
        self.pool = pool
        self.shards = shards
        self.workspace = Workspace(network: network, capacity: chunkRows, training: false, workers: pool.count)
    }

    /// Loss and accuracy with the confusion matrix (or regression errors and R²) over every row
    /// of `split`, which must have targets.
    /// - Throws: `SpindleError.invalidData` when `split` does not fit the network.
    public func evaluate(_ split: DatasetSplit) throws -> EvaluationReport {
        try evaluate(rows: split)
    }

    /// Loss and accuracy with the confusion matrix (or regression errors and R²) over every row
    /// of `data`, which must have targets.
    /// - Throws: `SpindleError.invalidData` when `data` does not fit the network, or what
    ///   reading a streamed split throws.
    public func evaluate(rows data: some SequentialRows) throws -> EvaluationReport {
        try network.validateEvaluation(of: data)
        let c = network.spec.outputCount
        var lossSum = 0.0
        var confusion: ConfusionMatrix? = data.hasLabels ? ConfusionMatrix(classes: c) : nil
        var squared = 0.0, absolute = 0.0
        var spread = FeatureStatistics(features: c)
        let regression = data.targetWidth != nil
        // C = 2: each row's z1 − z0 (ranks rows as its class-1 probability does) for BinaryMetrics.
        var binaryLabels: [Int32] = [], positiveScores: [Double] = []
        try forEachChunk(of: data) { batch, outputs in
            let ws = workspace
            for r in 0..<batch.count {
                lossSum += Double(ws.rowLoss[r])
                confusion?.add(trueClass: Int(ws.labels[r]), predicted: Int(ws.predicted[r]))
                if c == 2, confusion != nil {
                    binaryLabels.append(ws.labels[r])
                    positiveScores.append(Double(outputs[2 * r + 1]) - Double(outputs[2 * r]))
                }
            }
            guard regression else { return }
            let targets = ws.targets.base
            spread.add(targets, count: batch.count)
            for i in 0..<(batch.count * c) {
                let e = Double(outputs[i]) - Double(targets[i])
                squared += e * e
                absolute += abs(e)
            }
        }
        let n = data.rows
        var report = EvaluationReport(rows: n, loss: n > 0 ? lossSum / Double(n) : 0)
        if let confusion {
            let correct = (0..<c).map { confusion.counts[$0][$0] }
            report.confusion = confusion
            report.classCounts = confusion.counts.map { $0.reduce(0, +) }
            report.classCorrect = correct
            report.accuracy = n > 0 ? Double(correct.reduce(0, +)) / Double(n) : 0
            if c == 2 { report.binary = BinaryMetrics(labels: binaryLabels, scores: positiveScores, confusion: confusion) }
        } else if regression {
            report.meanSquaredError = squared / Double(max(n * c, 1))
            report.meanAbsoluteError = absolute / Double(max(n * c, 1))
            report.rSquared = RegressionMetrics.rSquared(residualSumOfSquares: squared,
                                                         totalSumOfSquares: spread.totalSquaredDeviation)
        }
        return report
    }

    /// The network's outputs for every row: class probabilities (softmax) for a cross-entropy
    /// model, the linear outputs for MSE. (N, C) row-major.
    /// - Throws: `SpindleError.invalidData` when `split` does not fit the network.
    public func predict(_ split: DatasetSplit) throws -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(split.rows * network.spec.outputCount)
        try predict(rows: split) { result.append(contentsOf: $0) }
        return result
    }

    /// The network's outputs (as `predict(_:)`) chunk by chunk: `body` gets (rows, C) row-major.
    /// - Throws: as `evaluate(rows:)`, or what `body` throws.
    public func predict(rows data: some SequentialRows, _ body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        try network.validatePrediction(of: data)
        let c = network.spec.outputCount
        let probabilities = FloatBuffer(count: workspace.capacity * c)
        try forEachChunk(of: data) { batch, outputs in
            let out = probabilities.base
            for r in 0..<batch.count {
                let row = outputs + r * c, dst = out + r * c
                guard network.spec.loss == .crossEntropy else {
                    dst.update(from: row, count: c)
                    continue
                }
                var maxValue = row[0]
                for j in 1..<c { maxValue = max(maxValue, row[j]) }
                var sum: Float = 0
                for j in 0..<c { sum += exp(row[j] - maxValue) }
                for j in 0..<c { dst[j] = exp(row[j] - maxValue) / sum }
            }
            try body(UnsafeBufferPointer(start: out, count: batch.count * c))
        }
    }

    /// Runs the forward pass over `data` in order, chunk by chunk, handing each chunk's batch
    /// and outputs (rows, C) to `body`.
    private func forEachChunk(of data: some SequentialRows,
                              _ body: (Batch, UnsafePointer<Float>) throws -> Void) throws {
        let ws = workspace, shards = self.shards
        try data.forEachChunk(rows: ws.capacity) { batch in
            pool.run { w in
                for tile in self.pool.tiles(shards, worker: w) {
                    let rows = Partition.part(batch.count, index: tile, of: shards)
                    ForwardPass.evaluate(batch, rows: rows, network: self.network, workspace: ws, worker: w)
                }
            }
            try body(batch, ws.logits)
        }
    }
}
