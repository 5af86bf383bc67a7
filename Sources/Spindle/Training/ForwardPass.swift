/// The forward pass and loss for a range of batch rows: phase A's first half, also used alone for
/// evaluation and prediction.
enum ForwardPass {
    /// Computes activations, outputs, per-row losses and predictions for rows `rows` of the
    /// batch already gathered into `ws`, and, when `ws` has deltas, the output layer's ∂L/∂z.
    ///
    /// Splitting the rows of these GEMMs between workers gives results bit-identical to one call
    /// over all rows (each output row depends only on its input row); a test keeps BLAS to that.
    /// - Parameters:
    ///   - batchSize: B, for the 1/B of the mean loss's gradient.
    ///   - dropout: dropout probability and counter inputs, nil at evaluation.
    static func run(
        rows: Range<Int>, batchSize: Int, network: Network, workspace ws: Workspace,
        dropout: DenseKernels.DropoutDraw?
    ) {
        guard !rows.isEmpty else { return }
        let spec = network.spec
        let widths = spec.widths
        let p = network.parameters.base
        let r0 = rows.lowerBound, count = rows.count
        for (l, layer) in network.layout.layers.enumerated() {
            let nIn = widths[l], nOut = widths[l + 1]
            let z = ws.activations[l].base + r0 * nOut
            // Z (R, nOut) = X (R, nIn) · Wᵀ;  W is (nOut, nIn) row-major.
            BLAS.sgemm(.none, .transposed, m: count, n: nOut, k: nIn,
                       a: ws.input(l) + r0 * nIn, lda: nIn,
                       b: p + layer.weightOffset, ldb: nIn,
                       c: z, ldc: nOut)
            if l == spec.layerCount - 1 {
                DenseKernels.addBias(z, rows: count, units: nOut, bias: p + layer.biasOffset)
            } else {
                var draw = dropout
                draw?.layer = l
                DenseKernels.biasActivation(
                    z, rows: count, units: nOut, bias: p + layer.biasOffset,
                    activation: spec.activation, dropout: draw, firstRow: r0,
                    next: ws.dropped[l].map { $0.base + r0 * nOut },
                    mask: ws.masks[l].map { $0.base + r0 * nOut })
            }
        }
        let c = spec.outputCount
        let outputs = ws.activations[spec.layerCount - 1].base + r0 * c
        let dz = ws.deltas.last.map { $0.base + r0 * c }
        let scale = 1 / Float(batchSize)
        switch spec.loss {
        case .crossEntropy:
            LossKernels.softmaxCrossEntropy(
                outputs, rows: count, classes: c, labels: ws.labels + r0, gradientScale: scale,
                dz: dz, rowLoss: ws.rowLoss.base + r0, predicted: ws.predicted + r0)
        case .mse:
            LossKernels.meanSquaredError(
                outputs, rows: count, width: c, targets: ws.targets.base + r0 * c,
                gradientScale: scale, dz: dz, rowLoss: ws.rowLoss.base + r0)
            for r in 0..<count {
                let o = outputs + r * c
                var best = 0
                for j in 1..<c where o[j] > o[best] { best = j }
                ws.predicted[r0 + r] = Int32(best)
            }
        }
    }
}
