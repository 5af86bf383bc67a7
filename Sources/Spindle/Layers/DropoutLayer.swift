import CKernels

/// `dropout(p)` where no dense layer's pass absorbed it (e.g. on the inputs, or after a dense
/// layer without activation). Training: Y = X ⊙ mask, mask 0 with probability p, else
/// 1/(1 − p) (inverted dropout: evaluation passes X through unscaled). The draw of (row, unit)
/// is keyed by (seed, step, the layer's ordinal among dropout layers, global row, unit).
///
/// Letters (Layer.swift): R rows, N = I = O features. scratch[0] (B, N): the mask, training only.
final class DropoutLayer: Layer, @unchecked Sendable {
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    let probability: Float
    let ordinal: Int

    init(width: Int, probability: Float, ordinal: Int) {
        inputWidth = width
        self.probability = probability
        self.ordinal = ordinal
    }

    func scratch(training: Bool) -> ScratchNeeds {
        training ? ScratchNeeds(perRow: [inputWidth]) : ScratchNeeds()
    }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let n = inputWidth, start = rows.lowerBound * n
        guard context.training, let mask = io.scratch.first else {
            (io.output + start).update(from: io.input + start, count: rows.count * n)
            return
        }
        spindle_dropout(rows.count, n, io.input + start, io.output + start, mask + start,
                        UInt32(rows.lowerBound + context.rowOffset),
                        RandomPurpose.dropout.rawValue << 16 | UInt32(ordinal),
                        UInt32(truncatingIfNeeded: context.step), context.seed, probability)
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient, let mask = io.scratch.first else { return }
        let n = inputWidth, start = rows.lowerBound * n
        for i in start..<(start + rows.count * n) { dX[i] = dY[i] * mask[i] }
    }
}
