/// Phase A's row-local passes over a range of batch rows, also used alone for evaluation and
/// prediction: gathering, each layer's forward, the loss.
///
/// Splitting the rows of these passes between workers gives results bit-identical to one pass
/// over all rows (each output row depends only on its input row); a test keeps BLAS to that.
enum ForwardPass {
    /// Copies batch rows `rows` into the workspace (converted, standardised).
    static func gather(_ batch: Batch, rows: Range<Int>, network: Network, workspace ws: Workspace) {
        let spec = network.spec
        batch.gather(rows: rows, x: ws.batchInput.base, labels: ws.labels,
                     targets: spec.loss == .mse ? ws.targets.base : nil, targetWidth: spec.outputCount,
                     scaling: network.featureScaling)
    }

    /// Runs `layers` of the plan forward over `rows`.
    static func forward(_ layers: Range<Int>, rows: Range<Int>, network: Network, workspace ws: Workspace,
                        context: RowContext) {
        let plan = network.plan.layers
        for l in layers { plan[l].forward(ws.io[l], rows: rows, context: context) }
    }

    /// Per-row losses and predictions for rows `rows` from the output layer's linear outputs,
    /// and, when the workspace trains, the output layer's ∂(batch loss)/∂z (scaled by 1/B, or
    /// by each row's class weight over the batch's weight sum: `scale`).
    static func loss(rows: Range<Int>, scale: LossScale, network: Network, workspace ws: Workspace) {
        let spec = network.spec, c = spec.outputCount
        let r0 = rows.lowerBound, count = rows.count
        let outputs = ws.logits + r0 * c
        let dz = ws.gradients[ws.gradients.count - 1].map { $0.base + r0 * c }
        switch spec.loss {
        case .crossEntropy:
            LossKernels.softmaxCrossEntropy(
                outputs, rows: count, classes: c, labels: ws.labels + r0, gradientScale: scale.gradientScale,
                classWeights: scale.classWeights, dz: dz, rowLoss: ws.rowLoss.base + r0, predicted: ws.predicted + r0)
        case .mse:
            LossKernels.meanSquaredError(
                outputs, rows: count, width: c, targets: ws.targets.base + r0 * c,
                gradientScale: scale.gradientScale, dz: dz, rowLoss: ws.rowLoss.base + r0)
            for r in 0..<count {
                let o = outputs + r * c
                var best = 0
                for j in 1..<c where o[j] > o[best] { best = j }
                ws.predicted[r0 + r] = Int32(best)
            }
        }
    }

    /// Gathers rows `rows`, runs every layer forward in evaluation mode and the loss, on
    /// `worker`'s scratch.
    static func evaluate(_ batch: Batch, rows: Range<Int>, network: Network, workspace ws: Workspace, worker: Int) {
        guard !rows.isEmpty else { return }
        gather(batch, rows: rows, network: network, workspace: ws)
        let context = RowContext(training: false, step: 0, seed: 0, rowOffset: 0, batchRows: batch.count, worker: worker)
        forward(0..<network.plan.layers.count, rows: rows, network: network, workspace: ws, context: context)
        loss(rows: rows, scale: .mean(rows: batch.count), network: network, workspace: ws)
    }
}
