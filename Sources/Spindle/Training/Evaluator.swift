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
        self.workspace = Workspace(spec: network.spec, capacity: chunkRows, dropout: false, backward: false)
    }

    /// Loss and accuracy with the confusion matrix (or regression errors and R²) over every row
    /// of `split`, which must have targets.
    public func evaluate(_ split: DatasetSplit) -> EvaluationReport {
        let c = network.spec.outputCount
        var lossSum = 0.0
        var confusion: ConfusionMatrix? = nil
        var squared = 0.0, absolute = 0.0
        if case .labels = split.targets { confusion = ConfusionMatrix(classes: c) }
        forEachChunk(of: split) { batch, outputs in
            let ws = workspace
            for r in 0..<batch.count {
                lossSum += Double(ws.rowLoss[r])
                if confusion != nil {
                    confusion!.add(trueClass: Int(ws.labels[r]), predicted: Int(ws.predicted[r]))
                }
            }
            if case .values(let targets, _) = split.targets {
                var index = batch.indices.startIndex
                for r in 0..<batch.count {
                    let row = batch.indices[index]
                    for j in 0..<c {
                        let e = Double(outputs[r * c + j]) - Double(targets[row * c + j])
                        squared += e * e
                        absolute += abs(e)
                    }
                    index += 1
                }
            }
        }
        let n = split.rows
        var report = EvaluationReport(rows: n, loss: n > 0 ? lossSum / Double(n) : 0)
        if let confusion {
            let correct = (0..<c).map { confusion.counts[$0][$0] }
            report.confusion = confusion
            report.classCounts = confusion.counts.map { $0.reduce(0, +) }
            report.classCorrect = correct
            report.accuracy = n > 0 ? Double(correct.reduce(0, +)) / Double(n) : 0
        } else if case .values(let targets, let width) = split.targets {
            report.meanSquaredError = squared / Double(max(n * c, 1))
            report.meanAbsoluteError = absolute / Double(max(n * c, 1))
            report.rSquared = RegressionMetrics.rSquared(
                residualSumOfSquares: squared,
                totalSumOfSquares: RegressionMetrics.totalSumOfSquares(targets, width: width))
        }
        return report
    }

    /// The network's outputs for every row: class probabilities (softmax) for a cross-entropy
    /// model, the linear outputs for MSE. (N, C) row-major.
    public func predict(_ split: DatasetSplit) -> [Float] {
        let c = network.spec.outputCount
        var result: [Float] = []
        result.reserveCapacity(split.rows * c)
        forEachChunk(of: split) { batch, outputs in
            for r in 0..<batch.count {
                let row = outputs + r * c
                guard network.spec.loss == .crossEntropy else {
                    result.append(contentsOf: UnsafeBufferPointer(start: row, count: c))
                    continue
                }
                var maxValue = row[0]
                for j in 1..<c { maxValue = max(maxValue, row[j]) }
                var sum: Float = 0
                for j in 0..<c { sum += exp(row[j] - maxValue) }
                for j in 0..<c { result.append(exp(row[j] - maxValue) / sum) }
            }
        }
        return result
    }

    /// Runs the forward pass over `split` in order, chunk by chunk, handing each chunk's batch
    /// and outputs (rows, C) to `body`.
    private func forEachChunk(of split: DatasetSplit,
                              _ body: (Batch, UnsafePointer<Float>) -> Void) {
        let ws = workspace, spec = network.spec
        let order = Array(0..<split.rows)
        var start = 0
        while start < split.rows {
            let end = min(start + ws.capacity, split.rows)
            let batch = Batch(split: split, indices: order[start..<end])
            let shards = self.shards
            pool.run { w in
                for tile in self.pool.tiles(shards, worker: w) {
                    let rows = Partition.part(batch.count, index: tile, of: shards)
                    guard !rows.isEmpty else { continue }
                    batch.gather(rows: rows, x: ws.batchInput.base, labels: ws.labels,
                                 targets: spec.loss == .mse ? ws.targets.base : nil,
                                 targetWidth: spec.outputCount)
                    ForwardPass.run(rows: rows, batchSize: batch.count, network: self.network,
                                    workspace: ws, dropout: nil)
                }
            }
            body(batch, ws.activations[spec.layerCount - 1].base)
            start = end
        }
    }
}
