/// A step's phases as data: what the pool's workers do between two barriers.
///
/// Every phase of a step is dispatched through the engine itself as the `PoolTask`, with
/// `StepEngine.phase` saying what to do; the coordinator writes it before each phase and the
/// workers only read it (`PhaseBoard`'s ordering makes the write visible to them). Why not
/// closures: they allocate once per phase (`PoolTask`), and a step must allocate nothing.
struct StepPhase {
    /// The work of one phase, tile by tile.
    enum Work {
        case idle
        /// Phase A, a segment before a layer that needs statistics: over each row tile, gather
        /// the batch's rows (the first segment only), then forward `layers`.
        case forward(layers: Range<Int>, gathers: Bool)
        /// Phase A, the last segment: over each row tile, gather (when no segment came before),
        /// forward `forward`, the loss, then backward-data of `backward`.
        case forwardLossBackward(forward: Range<Int>, backward: Range<Int>, gathers: Bool)
        /// Phase A, a segment below a layer that needs statistics: backward-data of `layers`.
        case backward(layers: Range<Int>)
        /// Phase A: rounds `rounds` of `pass`'s sums of layer `layer`, over each tile of its
        /// statistics features, then (with `finishes`) the statistics of the tile's features.
        case statistics(StatisticsPass, layer: Int, rounds: Range<Int>, finishes: Bool)
        /// Phase B: parameter gradients over `rows` rows, with `update` applied tile by tile,
        /// per-unit squared norms with `norms`, the update measured with `measure`.
        case gradients(rows: Int, update: Optimizer.StepScalars?, norms: Bool, measure: Bool)
        /// The optimizer's update of every parameter tile (after clipping, or across ranks).
        case update(Optimizer.StepScalars, measure: Bool)
        /// Per-unit squared norms of the ranks' summed gradient, for clipping.
        case summedGradientNorms
    }

    var work = Work.idle
    /// Phase A's inputs, set for its phases and cleared after them (so that the engine holds
    /// no batch between steps): the batch, its rows, their context, how their losses scale.
    var batch: Batch?
    var rows = 0
    var context = RowContext(training: true, step: 0, seed: 0, rowOffset: 0, batchRows: 0)
    var scale = LossScale.mean(rows: 1)
}

extension StepEngine: PoolTask {
    /// Runs `work` on every worker and waits for all of them: one pool barrier.
    func dispatch(_ work: StepPhase.Work) {
        phase.work = work
        pool.run(self)
        phase.work = .idle
    }

    func run(worker w: Int) {
        let phase = self.phase
        switch phase.work {
        case .idle:
            break
        case let .gradients(rows, update, norms, measure):
            phaseB(worker: w, batchSize: rows, update: update, norms: norms, measure: measure)
        case let .update(scalars, measure):
            applyUpdate(worker: w, scalars: scalars, measure: measure)
        case .summedGradientNorms:
            reducedGradientNorms(worker: w)
        case .forward, .forwardLossBackward, .backward, .statistics:
            eachTile(phase, worker: w)
        }
    }

    /// Worker `w`'s share of phase A's S tiles: of the batch's rows, or of a layer's statistics
    /// features; each tile's work with a context naming the worker.
    private func eachTile(_ phase: StepPhase, worker w: Int) {
        let start = WorkerClocks.now()
        var context = phase.context
        context.worker = w
        var count = phase.rows
        if case let .statistics(_, l, _, _) = phase.work { count = layers[l].statisticsUnits }
        for tile in pool.tiles(shards, worker: w) {
            let part = Partition.part(count, index: tile, of: shards)
            if !part.isEmpty { tileWork(phase, part, context: context) }
        }
        clocks.add(.forwardBackward, worker: w, since: start)
    }

    /// Phase A's work on one tile: `part` is a range of rows, or of statistics features.
    private func tileWork(_ phase: StepPhase, _ part: Range<Int>, context: RowContext) {
        let ws = workspace
        switch phase.work {
        case let .forward(range, gathers):
            if gathers { gather(phase, rows: part) }
            ForwardPass.forward(range, rows: part, network: network, workspace: ws, context: context)
        case let .forwardLossBackward(forward, backward, gathers):
            if gathers { gather(phase, rows: part) }
            ForwardPass.forward(forward, rows: part, network: network, workspace: ws, context: context)
            ForwardPass.loss(rows: part, scale: phase.scale, network: network, workspace: ws)
            self.backward(backward, rows: part, context: context)
        case let .backward(range):
            self.backward(range, rows: part, context: context)
        case let .statistics(pass, l, rounds, finishes):
            let layer = layers[l], io = ws.io[l]
            for round in rounds {
                layer.accumulateStatistics(pass, round: round, io, features: part, rows: phase.rows, context: context)
            }
            if finishes { layer.finishStatistics(pass, io, features: part, context: context) }
        case .idle, .gradients, .update, .summedGradientNorms:
            preconditionFailure("StepEngine: a phase without tiles dispatched as one")
        }
    }

    private func gather(_ phase: StepPhase, rows: Range<Int>) {
        guard let batch = phase.batch else { preconditionFailure("StepEngine: phase A without its batch") }
        ForwardPass.gather(batch, rows: rows, network: network, workspace: workspace)
    }

    /// Backward-data of `layers`, last first, over rows `rows`.
    private func backward(_ range: Range<Int>, rows: Range<Int>, context: RowContext) {
        for l in range.reversed() { layers[l].backward(workspace.io[l], rows: rows, context: context) }
    }
}
