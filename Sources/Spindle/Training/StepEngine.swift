/// One training step over a minibatch, split across workers in two phases (DESIGN.md):
///
/// phase A — the batch's rows are cut into S fixed tiles (S = shards); for each of its tiles a
///           worker gathers the rows and runs every layer's forward, the loss and every layer's
///           backward-data, writing those rows of every output and gradient (`Layer`);
/// phase B — each layer's units are cut into S fixed tiles; for each of its tiles a worker computes
///           their parameter gradient over all B rows (a dense layer: one GEMM with K = B) and
///           updates their parameters while the gradient is in cache.
///
/// A layer that needs statistics over the batch's rows (batch normalisation) cuts phase A into
/// segments: the workers finish every tile up to it, the statistics are reduced over tiles of its
/// features in a fixed order, and the next segment goes on (one more pool barrier each way;
/// across ranks, a barrier and an allreduce per round of sums: `StepEngine+Statistics.swift`).
///
/// No result depends on the worker count W: the tiles and so every BLAS call are the same for
/// every W (see `WorkerPool`), the reductions over the batch (parameter gradients, statistics, the
/// loss) are never split across rows, and every random draw is keyed by (step, layer, row, unit).
/// Global-norm clipping adds one reduction of per-unit squared norms, in a fixed order, between
/// computing the gradients and applying them. A step asked to can measure its update for the
/// gradient diagnostics (`GradientMeter`), which changes no bit of it.
///
/// Across processes (`communicator.size` > 1), each rank runs phase A on its share of the global
/// batch and phase B without updating; the ranks' gradients are then summed (one allreduce of the
/// flat gradient buffer) and every rank applies the same update (`StepEngine+Ranks.swift`);
/// batch statistics are the global batch's, their sums added up over the ranks in phase A.
public final class StepEngine: @unchecked Sendable {
    public let network: Network
    public let optimizer: Optimizer
    public let pool: WorkerPool
    /// Fixed tiles each phase is cut into.
    public let shards: Int
    /// ∂(batch loss)/∂(parameters), same layout as the parameters.
    public let gradients: FloatBuffer
    /// The optimizer's moment buffers (momentum: 1, Adam: 2), same layout as the parameters.
    public let moments: [FloatBuffer]
    /// The processes sharing each step; a single process unless made with another.
    public let communicator: Communicator
    let workspace: Workspace
    let seed: UInt64
    /// The plan's layers, and those with parameters (phase B's).
    let layers: [any Layer]
    let trained: [Int]
    /// Layers that need statistics over all rows before their forward: where phase A is cut.
    let statisticsLayers: [Int]
    /// Per-unit squared gradient norms of every trained layer, in layer order, for clipping.
    let unitNorms: FloatBuffer
    private let unitOffsets: [Int]
    /// The gradient, update and weight norms per trained layer of the last step that measured.
    public let gradientMeter: GradientMeter
    let clocks: WorkerClocks
    /// Class weights of the loss, nil when every row weighs 1.
    let weighting: LossWeighting?
    /// Seconds this step spent in the batch statistics' allreduces (phase A, across ranks).
    var statisticsExchange = 0.0
    /// Where the steps' time went since the engine was made (or `timings` was reset).
    public var timings = StepTimings()
    /// What the workers do in the phase running now (`StepEngine+Phases.swift`).
    var phase = StepPhase()

    /// - Parameters:
    ///   - shards: tiles each phase is cut into; results depend on it, never on `workers`.
    ///   - maxBatch: the largest batch this engine will see.
    ///   - seed: key of the dropout draws.
    ///   - classWeights: (C) each class's weight in the loss (`ClassWeights`), or nil.
    ///   - communicator: the ranks sharing each step (each one's share of a batch is at most
    ///     `maxBatch` rows).
    public init(network: Network, optimizer: OptimizerConfig, workers: Int, shards: Int, maxBatch: Int,
                seed: UInt64, classWeights: [Double]? = nil, communicator: Communicator = SingleProcess()) {
        BLAS.configureSingleThreaded()
        self.network = network
        self.optimizer = Optimizer(optimizer)
        self.pool = WorkerPool(count: workers)
        self.shards = shards
        let count = network.layout.parameterCount
        gradients = FloatBuffer(count: count)
        moments = (0..<optimizer.kind.momentCount).map { _ in FloatBuffer(count: count) }
        workspace = Workspace(network: network, capacity: maxBatch, training: true, workers: workers)
        self.seed = seed
        let layers = network.plan.layers
        self.layers = layers
        let trained = layers.indices.filter { layers[$0].unitCount > 0 }
        self.trained = trained
        statisticsLayers = layers.indices.filter { layers[$0].needsRowStatistics }
        let units = trained.map { layers[$0].unitCount }
        unitOffsets = units.indices.map { units[..<$0].reduce(0, +) }
        unitNorms = FloatBuffer(count: units.reduce(0, +))
        gradientMeter = GradientMeter(layers: trained.count, tiles: shards)
        clocks = WorkerClocks(workers: workers)
        weighting = classWeights.map { LossWeighting(weights: $0, capacity: maxBatch) }
        self.communicator = communicator
    }

    /// What a step measured: the batch's summed loss (rows added in order; with class weights,
    /// each row's loss times its weight) and correct predictions.
    public struct StepResult: Sendable {
        public var lossSum: Double
        public var correct: Int
        public var rows: Int
        /// The rows' weights summed: `rows` without class weights.
        public var weightSum: Double
        /// The batch loss: the (weighted) mean.
        public var meanLoss: Double { lossSum / weightSum }
    }

    /// Computes the gradient of the mean loss over `batch` and, with `update`, applies the optimizer.
    /// With several ranks, `batch` is the global batch and this rank trains on its `RankShare`.
    /// - Parameters:
    ///   - step: 0-based global step number; keys the dropout draws.
    ///   - update: the optimizer's scalars for this step, or nil to leave parameters untouched.
    ///   - clipNorm: rescale the gradient to at most this global L2 norm before updating.
    ///   - measure: whether the update measures itself into `gradientMeter` (the parameters get
    ///     the same bits either way; the measured update takes about 1.4× the plain one's time,
    ///     so `Trainer` measures one step in `GradientMeter.interval`).
    @discardableResult
    public func step(_ batch: Batch, step: Int, update: Optimizer.StepScalars?,
                     clipNorm: Float? = nil, measure: Bool = false) -> StepResult {
        guard communicator.size == 1 else {
            let share = RankShare(globalRows: batch.count, rank: communicator.rank, of: communicator.size)
            return self.step(batch.rows(share.range), share: share,
                             step: step, update: update, clipNorm: clipNorm, measure: measure)
        }
        let rows = batch.count
        precondition(rows > 0 && rows <= workspace.capacity, "StepEngine: batch of \(rows) rows")
        let start = WorkerClocks.now()
        var serial = 0.0
        phaseA(batch, step: step, share: RankShare(wholeBatchOf: rows),
               scale: weighting.map { $0.scale(weightSum: $0.weightSum(batch)) } ?? .mean(rows: rows))
        let measure = measure && update != nil
        if measure { gradientMeter.begin() }
        if var scalars = update, let clipNorm {
            dispatch(.gradients(rows: rows, update: nil, norms: true, measure: false))
            let normStart = WorkerClocks.now()
            let norm = globalNorm()
            if norm > clipNorm { scalars.gradientScale = clipNorm / norm }
            serial += Double(WorkerClocks.now() - normStart) * 1e-9
            let clipped = scalars
            dispatch(.update(clipped, measure: measure))
        } else {
            dispatch(.gradients(rows: rows, update: update, norms: false, measure: measure))
        }
        let summaryStart = WorkerClocks.now()
        if measure { gradientMeter.finish() }
        let result = summary(batch)
        let end = WorkerClocks.now()
        record(wall: Double(end - start) * 1e-9, serial: serial + Double(end - summaryStart) * 1e-9)
        return result
    }

    /// Adds this step's clocks to `timings`.
    func record(wall: Double, serial: Double, communication: Double = 0) {
        var t = StepTimings()
        t.steps = 1
        t.wall = wall
        t.coordinator = serial
        t.communication = communication
        t.forwardBackward = clocks.take(.forwardBackward)
        t.gradients = clocks.take(.gradients)
        t.optimizer = clocks.take(.optimizer)
        // Everything else a worker could have done during the step, it spent waiting.
        let busy = t.forwardBackward + t.gradients + t.optimizer
        t.barrierWait = max(0, Double(pool.count) * (wall - serial) - busy)
        timings = timings + t
    }

    // MARK: - Phase A: rows

    /// Forward, loss and backward-data over `batch`'s rows, in segments cut at the layers that
    /// need statistics over all rows (with none, one pass per tile: gather → forward → loss →
    /// backward).
    /// - Parameter share: where `batch`'s rows sit in the global batch (a single process: all of it).
    /// - Parameter scale: how the rows' losses make the global batch's loss.
    func phaseA(_ batch: Batch, step: Int, share: RankShare, scale: LossScale) {
        let rows = batch.count
        phase.batch = batch
        phase.rows = rows
        phase.context = RowContext(training: true, step: step, seed: seed, rowOffset: share.firstRow,
                                   batchRows: share.globalRows)
        phase.scale = scale
        defer { phase.batch = nil }
        let first = network.plan.firstTrained, cuts = statisticsLayers
        // The first segment gathers the batch; each later one starts at a layer that needs
        // statistics over all rows, reduced between the segments.
        var begin: Int? = nil
        for cut in cuts {
            dispatch(.forward(layers: (begin ?? 0)..<cut, gathers: begin == nil))
            reduceStatistics(.forward, layer: cut)
            begin = cut
        }
        let top = max(cuts.last.map { $0 + 1 } ?? 0, first), last = begin ?? 0
        dispatch(.forwardLossBackward(forward: last..<layers.count, backward: top..<layers.count,
                                      gathers: begin == nil))
        for (k, cut) in cuts.enumerated().reversed() where cut >= first {
            reduceStatistics(.backward, layer: cut)
            let below = max(k > 0 ? cuts[k - 1] + 1 : 0, first)
            dispatch(.backward(layers: below..<(cut + 1)))
        }
    }

    // MARK: - Phase B: parameter slices

    /// - Parameter measure: whether the update measures itself into `gradientMeter`.
    func phaseB(worker w: Int, batchSize b: Int, update: Optimizer.StepScalars?, norms: Bool, measure: Bool) {
        for (k, l) in trained.enumerated() {
            for tile in pool.tiles(shards, worker: w) {
                gradientTile(trained: k, layer: l, tile: tile, worker: w, batchSize: b, update: update, norms: norms,
                             measure: measure)
            }
        }
    }

    /// The parameter gradient of one tile of units of layer l, then (with `update`) their
    /// optimizer step while the fresh gradient is still in cache.
    @inline(__always)
    private func gradientTile(trained k: Int, layer l: Int, tile: Int, worker w: Int, batchSize b: Int,
                              update: Optimizer.StepScalars?, norms: Bool, measure: Bool) {
        let layer = layers[l]
        let units = Partition.part(layer.unitCount, index: tile, of: shards)
        guard !units.isEmpty else { return }
        let start = WorkerClocks.now()
        layer.parameterGradient(workspace.io[l], units: units, rows: b, gradients: gradients.base)
        if norms { unitSquaredNorms(trained: k, units: units) }
        clocks.add(.gradients, worker: w, since: start)
        if let update {
            let updateStart = WorkerClocks.now()
            self.update(layer, units: units, scalars: update,
                        sums: measure ? gradientMeter.slot(layer: k, tile: tile) : nil)
            clocks.add(.optimizer, worker: w, since: updateStart)
        }
    }

    func applyUpdate(worker w: Int, scalars: Optimizer.StepScalars, measure: Bool) {
        let start = WorkerClocks.now()
        defer { clocks.add(.optimizer, worker: w, since: start) }
        for (k, l) in trained.enumerated() {
            for tile in pool.tiles(shards, worker: w) {
                let units = Partition.part(layers[l].unitCount, index: tile, of: shards)
                if !units.isEmpty {
                    update(layers[l], units: units, scalars: scalars,
                           sums: measure ? gradientMeter.slot(layer: k, tile: tile) : nil)
                }
            }
        }
    }

    /// - Parameter sums: the tile's `GradientMeter` slot, or nil to measure nothing.
    @inline(__always)
    private func update(_ layer: any Layer, units: Range<Int>, scalars: Optimizer.StepScalars,
                        sums: UnsafeMutablePointer<Double>?) {
        let m1 = moments.first?.base, m2 = moments.count > 1 ? moments[1].base : nil
        let ranges = layer.parameterRanges(units: units), p = network.parameters.base, g = gradients.base
        optimizer.update(ranges.weight, decays: ranges.weightDecays, scalars: scalars, parameters: p, gradients: g,
                         moment1: m1, moment2: m2, sums: sums)
        if !ranges.bias.isEmpty {
            optimizer.update(ranges.bias, decays: false, scalars: scalars, parameters: p, gradients: g,
                             moment1: m1, moment2: m2, sums: sums)
        }
    }

    // MARK: - Reductions (fixed order, on the coordinator)

    /// Σ g² over each unit's parameters (weights, then bias), for trained layer k.
    func unitSquaredNorms(trained k: Int, units: Range<Int>) {
        let layer = layers[trained[k]], g = gradients.base
        for u in units {
            let ranges = layer.parameterRanges(units: u..<(u + 1))
            var sum: Float = 0
            for i in ranges.weight { sum += g[i] * g[i] }
            for i in ranges.bias { sum += g[i] * g[i] }
            unitNorms[unitOffsets[k] + u] = sum
        }
    }

    func globalNorm() -> Float {
        var total = 0.0
        for i in 0..<unitNorms.count { total += Double(unitNorms[i]) }
        return Float(total.squareRoot())
    }

    func summary(_ batch: Batch) -> StepResult {
        var loss = 0.0, correct = 0
        let ws = workspace, rows = batch.count
        let labels = batch.hasLabels
        for r in 0..<rows {
            loss += Double(ws.rowLoss[r])
            if labels && ws.predicted[r] == ws.labels[r] { correct += 1 }
        }
        guard let weighting else { return StepResult(lossSum: loss, correct: correct, rows: rows, weightSum: Double(rows)) }
        let weighted = weighting.sums(rowLoss: ws.rowLoss.base, labels: ws.labels, rows: rows)
        return StepResult(lossSum: weighted.loss, correct: correct, rows: rows, weightSum: weighted.weight)
    }
}
