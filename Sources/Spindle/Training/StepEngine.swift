/// One training step over a minibatch, split across workers in two phases (DESIGN.md):
///
/// phase A — the batch's rows are cut into S fixed tiles (S = shards); for each of its tiles a
///           worker gathers the rows, runs forward, loss and backward-data through every layer,
///           writing those rows of every activation and delta;
/// phase B — each layer's units are cut into S fixed tiles; for each of its tiles a worker computes
///           their dW over all B rows (one GEMM with K = B), their db (rows summed in order), and
///           updates their parameters.
///
/// No result depends on the worker count W: the tiles and so every BLAS call are the same for
/// every W (see `WorkerPool`), the reductions over the batch (dW, db, the loss) are never split,
/// and every random draw is keyed by (step, layer, row, unit). Global-norm clipping adds one
/// reduction of per-unit squared norms, in a fixed order, between computing the gradients and
/// applying them.
///
/// Across processes (`communicator.size` > 1), each rank runs phase A on its share of the global
/// batch and phase B without updating; the ranks' gradients are then summed (one allreduce of the
/// flat gradient buffer) and every rank applies the same update (`StepEngine+Ranks.swift`).
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
    let dropoutProbability: Float
    let seed: UInt64
    /// Per-unit squared gradient norms (row of W plus bias entry), for clipping.
    let unitNorms: FloatBuffer
    private let unitOffsets: [Int]
    let clocks: WorkerClocks
    /// Where the steps' time went since the engine was made (or `timings` was reset).
    public var timings = StepTimings()

    /// - Parameters:
    ///   - shards: tiles each phase is cut into; results depend on it, never on `workers`.
    ///   - maxBatch: the largest batch this engine will see.
    ///   - dropout: probability of dropping each hidden unit during training.
    ///   - seed: key of the dropout draws.
    ///   - communicator: the ranks sharing each step (each one's share of a batch is at most
    ///     `maxBatch` rows).
    public init(network: Network, optimizer: OptimizerConfig, workers: Int, shards: Int, maxBatch: Int,
                dropout: Double, seed: UInt64, communicator: Communicator = SingleProcess()) {
        BLAS.configureSingleThreaded()
        self.network = network
        self.optimizer = Optimizer(optimizer)
        self.pool = WorkerPool(count: workers)
        self.shards = shards
        let count = network.layout.parameterCount
        gradients = FloatBuffer(count: count)
        moments = (0..<optimizer.kind.momentCount).map { _ in FloatBuffer(count: count) }
        workspace = Workspace(spec: network.spec, capacity: maxBatch, dropout: dropout > 0, backward: true)
        dropoutProbability = Float(dropout)
        self.seed = seed
        let outputs = network.layout.layers.map(\.outputs)
        unitOffsets = outputs.indices.map { outputs[..<$0].reduce(0, +) }
        unitNorms = FloatBuffer(count: outputs.reduce(0, +))
        clocks = WorkerClocks(workers: workers)
        self.communicator = communicator
    }

    /// What a step measured: the batch's summed loss (rows added in order) and correct predictions.
    public struct StepResult: Sendable {
        public var lossSum: Double
        public var correct: Int
        public var rows: Int
        public var meanLoss: Double { lossSum / Double(rows) }
    }

    /// Computes the gradient of the mean loss over `batch` and, with `update`, applies the optimizer.
    /// With several ranks, `batch` is the global batch and this rank trains on its `RankShare`.
    /// - Parameters:
    ///   - step: 0-based global step number; keys the dropout draws.
    ///   - update: the optimizer's scalars for this step, or nil to leave parameters untouched.
    ///   - clipNorm: rescale the gradient to at most this global L2 norm before updating.
    @discardableResult
    public func step(_ batch: Batch, step: Int, update: Optimizer.StepScalars?,
                     clipNorm: Float? = nil) -> StepResult {
        guard communicator.size == 1 else {
            let share = RankShare(globalRows: batch.count, rank: communicator.rank, of: communicator.size)
            return self.step(batch.rows(share.range), share: share,
                             step: step, update: update, clipNorm: clipNorm)
        }
        let rows = batch.count
        precondition(rows > 0 && rows <= workspace.capacity, "StepEngine: batch of \(rows) rows")
        let start = WorkerClocks.now()
        var serial = 0.0
        pool.run { w in
            for tile in self.pool.tiles(self.shards, worker: w) {
                self.phaseA(batch, tile: tile, worker: w, step: step, share: RankShare(wholeBatchOf: rows))
            }
        }
        if var scalars = update, let clipNorm {
            pool.run { w in self.phaseB(worker: w, batchSize: rows, update: nil, norms: true) }
            let normStart = WorkerClocks.now()
            let norm = globalNorm()
            if norm > clipNorm { scalars.gradientScale = clipNorm / norm }
            serial += Double(WorkerClocks.now() - normStart) * 1e-9
            let clipped = scalars
            pool.run { w in self.applyUpdate(worker: w, scalars: clipped) }
        } else {
            pool.run { w in self.phaseB(worker: w, batchSize: rows, update: update, norms: false) }
        }
        let summaryStart = WorkerClocks.now()
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

    /// - Parameter share: where `batch`'s rows sit in the global batch (a single process: all of it).
    func phaseA(_ batch: Batch, tile: Int, worker w: Int, step: Int, share: RankShare) {
        let rows = Partition.part(batch.count, index: tile, of: shards)
        guard !rows.isEmpty else { return }
        let start = WorkerClocks.now()
        defer { clocks.add(.forwardBackward, worker: w, since: start) }
        let ws = workspace, spec = network.spec, widths = spec.widths
        batch.gather(rows: rows, x: ws.batchInput.base, labels: ws.labels,
                     targets: spec.loss == .mse ? ws.targets.base : nil, targetWidth: spec.outputCount,
                     scaling: network.featureScaling)
        let draw = dropoutProbability > 0
            ? DenseKernels.DropoutDraw(probability: dropoutProbability, seed: seed, step: step, layer: 0,
                                       rowOffset: share.firstRow)
            : nil
        ForwardPass.run(rows: rows, batchSize: share.globalRows, network: network, workspace: ws, dropout: draw)
        // Backward-data: δ_{l−1} (R, n_l) = δ_l (R, n_{l+1}) · W_l (n_{l+1}, n_l), then · f'(a).
        // Layer 0 needs no input gradient, which saves the largest product of the pass.
        let p = network.parameters.base
        let r0 = rows.lowerBound, count = rows.count
        for l in stride(from: spec.layerCount - 1, through: 1, by: -1) {
            let nIn = widths[l], nOut = widths[l + 1]
            let below = ws.deltas[l - 1].base + r0 * nIn
            BLAS.sgemm(.none, .none, m: count, n: nIn, k: nOut,
                       a: ws.deltas[l].base + r0 * nOut, lda: nOut,
                       b: p + network.layout.layers[l].weightOffset, ldb: nIn,
                       c: below, ldc: nIn)
            DenseKernels.activationBackward(
                below, rows: count, units: nIn,
                activations: ws.activations[l - 1].base + r0 * nIn, activation: spec.activation,
                mask: ws.masks[l - 1].map { UnsafePointer($0.base + r0 * nIn) })
        }
    }

    // MARK: - Phase B: parameter slices

    func phaseB(worker w: Int, batchSize b: Int, update: Optimizer.StepScalars?, norms: Bool) {
        for l in network.layout.layers.indices {
            for tile in pool.tiles(shards, worker: w) {
                gradientTile(layer: l, tile: tile, worker: w, batchSize: b, update: update, norms: norms)
            }
        }
    }

    /// dW and db of one tile of units of layer l, then (with `update`) their optimizer step while
    /// the fresh gradient is still in cache.
    @inline(__always)
    private func gradientTile(layer l: Int, tile: Int, worker w: Int, batchSize b: Int,
                              update: Optimizer.StepScalars?, norms: Bool) {
        let ws = workspace, g = gradients.base, layer = network.layout.layers[l]
        let units = Partition.part(layer.outputs, index: tile, of: shards)
        guard !units.isEmpty else { return }
        let start = WorkerClocks.now()
        let nIn = layer.inputs, nOut = layer.outputs
        // dW[u0..<u1, :] (U, nIn) = δ[:, u0..<u1]ᵀ (U, B) · X (B, nIn).
        BLAS.sgemm(.transposed, .none, m: units.count, n: nIn, k: b,
                   a: ws.deltas[l].base + units.lowerBound, lda: nOut,
                   b: ws.input(l), ldb: nIn,
                   c: g + layer.weightOffset + units.lowerBound * nIn, ldc: nIn)
        DenseKernels.biasGradient(ws.deltas[l].base, rows: b, units: nOut, range: units,
                                  into: g + layer.biasOffset)
        if norms { unitSquaredNorms(layer: l, units: units) }
        clocks.add(.gradients, worker: w, since: start)
        if let update {
            let updateStart = WorkerClocks.now()
            self.update(layer: layer, units: units, scalars: update)
            clocks.add(.optimizer, worker: w, since: updateStart)
        }
    }

    func applyUpdate(worker w: Int, scalars: Optimizer.StepScalars) {
        let start = WorkerClocks.now()
        defer { clocks.add(.optimizer, worker: w, since: start) }
        for layer in network.layout.layers {
            for tile in pool.tiles(shards, worker: w) {
                let units = Partition.part(layer.outputs, index: tile, of: shards)
                if !units.isEmpty { update(layer: layer, units: units, scalars: scalars) }
            }
        }
    }

    @inline(__always)
    private func update(layer: ParameterLayout.Dense, units: Range<Int>, scalars: Optimizer.StepScalars) {
        let m1 = moments.first?.base, m2 = moments.count > 1 ? moments[1].base : nil
        optimizer.update(layer.weightRange(units: units), decays: true, scalars: scalars,
                         parameters: network.parameters.base, gradients: gradients.base,
                         moment1: m1, moment2: m2)
        optimizer.update(layer.biasRange(units: units), decays: false, scalars: scalars,
                         parameters: network.parameters.base, gradients: gradients.base,
                         moment1: m1, moment2: m2)
    }

    // MARK: - Reductions (fixed order, on the coordinator)

    func unitSquaredNorms(layer l: Int, units: Range<Int>) {
        let layer = network.layout.layers[l], g = gradients.base
        for u in units {
            var sum: Float = 0
            for i in layer.weightRange(units: u..<(u + 1)) { sum += g[i] * g[i] }
            let bias = g[layer.biasOffset + u]
            unitNorms[unitOffsets[l] + u] = sum + bias * bias
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
        return StepResult(lossSum: loss, correct: correct, rows: rows)
    }
}
