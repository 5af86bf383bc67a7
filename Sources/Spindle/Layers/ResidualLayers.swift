/// `residual(body…)`, y = x + body(x), as two layers around the body's own (LayerPlan flattens
/// the block): a fork that hands x to the body, and an add that closes the block. Both are
/// row-local. Forward: the fork's output is x (the workspace gives it its input's buffer, so
/// nothing is copied: no layer writes its input), the add sums the body's output and the fork's. Backward: the add passes ∂L/∂y to the body
/// unchanged, and the fork, running after the whole body's backward, adds the skip's share,
/// ∂L/∂x = ∂L/∂(fork output) + ∂L/∂y, which it reads from the add's output gradient.
///
/// Letters (Layer.swift): R rows; N = I = O features (the block preserves the width).

/// Opens a block: y = x; ∂L/∂x = ∂L/∂y + ∂L/∂(block output).
final class ResidualForkLayer: Layer, @unchecked Sendable {
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    /// The plan index of the add that closes this block.
    let closing: Int

    init(width: Int, closing: Int) {
        inputWidth = width
        self.closing = closing
    }

    var link: LayerLink? { .outputGradient(of: closing) }
    var outputIsInput: Bool { true }

    /// Nothing to do in a workspace, which gives the output the input's buffer; buffers of
    /// their own (a test's) get a copy.
    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard io.output != io.input else { return }
        let n = inputWidth, start = rows.lowerBound * n
        (io.output + start).update(from: io.input + start, count: rows.count * n)
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient, let skip = io.linked else { return }
        let n = inputWidth, start = rows.lowerBound * n
        for i in start..<(start + rows.count * n) { dX[i] = dY[i] + skip[i] }
    }
}

/// Closes a block: y = body(x) + x; ∂L/∂body(x) = ∂L/∂y (the fork adds the skip's share).
final class ResidualAddLayer: Layer, @unchecked Sendable {
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    /// The plan index of the fork that opened this block, whose output is x.
    let opening: Int

    init(width: Int, opening: Int) {
        inputWidth = width
        self.opening = opening
    }

    var link: LayerLink? { .output(of: opening) }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let skip = io.linked else { preconditionFailure("ResidualAddLayer: no link to the block's input") }
        let n = inputWidth, start = rows.lowerBound * n
        for i in start..<(start + rows.count * n) { io.output[i] = io.input[i] + skip[i] }
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let n = inputWidth, start = rows.lowerBound * n
        (dX + start).update(from: dY + start, count: rows.count * n)
    }
}
