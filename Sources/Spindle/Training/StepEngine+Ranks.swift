import Dispatch

/// The step of a rank when several processes share each minibatch (data parallelism across
/// processes and hosts, `Communicator`).
///
/// Letters: B rows of the global batch, B_r this rank's rows, P parameters.
///
///     phase A   this rank's B_r rows, ∂L/∂z scaled by 1/B (the global batch's mean loss);
///               batch statistics summed over the ranks (an allreduce per round of sums)
///     phase B   dW, db over the B_r rows (K = B_r), no update
///     allreduce the P-float gradient buffer, summed over the ranks: the global batch's gradient
///     update    every rank applies the same update to its copy (clipping from the summed gradient)
///
/// The ranks' sums of rows differ from one process's (K = B) in the order floating-point
/// additions happen, so the weights agree with a single-process run to rounding, not to the bit;
/// for a fixed rank count they are bit-identical run to run and on every rank, because every rank
/// receives the same summed buffer and then does the same arithmetic.
extension StepEngine {
    /// One step on this rank's `share` of the global batch; `batch` holds exactly the share's rows.
    /// Every rank must call it for the same step (it is a collective).
    @discardableResult
    public func step(_ batch: Batch, share: RankShare, step: Int, update: Optimizer.StepScalars?,
                     clipNorm: Float? = nil, measure: Bool = false) -> StepResult {
        precondition(batch.count == share.rows && share.rows <= workspace.capacity,
                     "StepEngine: a share of \(share.rows) rows, batch of \(batch.count), capacity \(workspace.capacity)")
        let start = WorkerClocks.now()
        statisticsExchange = 0
        // The weighted mean's denominator is the global batch's: every rank's share summed.
        let scale = weighting.map { $0.scale(weightSum: Float(communicator.sum([Double($0.weightSum(batch))])[0])) }
            ?? .mean(rows: share.globalRows)
        if share.rows > 0 {
            phaseA(batch, step: step, share: share, scale: scale)
            dispatch(.gradients(rows: share.rows, update: nil, norms: false, measure: false))
        } else {
            // A last partial batch with fewer rows than ranks leaves some ranks nothing: their
            // part of the sum is zero. They still take part in the batch statistics'
            // allreduces (with zero sums), and move the running statistics as every rank does.
            if !statisticsLayers.isEmpty { phaseA(batch, step: step, share: share, scale: scale) }
            gradients.base.update(repeating: 0, count: gradients.count)
        }
        let exchangeStart = WorkerClocks.now()
        communicator.allreduceSum(UnsafeMutableBufferPointer(start: gradients.base, count: gradients.count))
        let communication = Double(WorkerClocks.now() - exchangeStart) * 1e-9 + statisticsExchange
        var serial = communication
        if var scalars = update {
            if let clipNorm {
                dispatch(.summedGradientNorms)
                let normStart = WorkerClocks.now()
                let norm = globalNorm()
                if norm > clipNorm { scalars.gradientScale = clipNorm / norm }
                serial += Double(WorkerClocks.now() - normStart) * 1e-9
            }
            let chosen = scalars
            if measure { gradientMeter.begin() }
            dispatch(.update(chosen, measure: measure))
            if measure { gradientMeter.finish() }
        }
        let summaryStart = WorkerClocks.now()
        var result = share.rows > 0 ? summary(batch) : StepResult(lossSum: 0, correct: 0, rows: 0, weightSum: 0)
        let totals = communicator.sum([result.lossSum, Double(result.correct), Double(result.rows), result.weightSum])
        result = StepResult(lossSum: totals[0], correct: Int(totals[1]), rows: Int(totals[2]), weightSum: totals[3])
        let end = WorkerClocks.now()
        record(wall: Double(end - start) * 1e-9, serial: serial + Double(end - summaryStart) * 1e-9,
               communication: communication)
        return result
    }

    /// Per-unit squared norms of the summed gradient, for global-norm clipping, over the same
    /// tiles as the update.
    func reducedGradientNorms(worker w: Int) {
        let start = WorkerClocks.now()
        defer { clocks.add(.gradients, worker: w, since: start) }
        for (k, l) in trained.enumerated() {
            for tile in pool.tiles(shards, worker: w) {
                let units = Partition.part(layers[l].unitCount, index: tile, of: shards)
                if !units.isEmpty { unitSquaredNorms(trained: k, units: units) }
            }
        }
    }
}
