/// `maxpool(K, stride=S)` and `avgpool(K, stride=S)` as PyTorch's `nn.MaxPool2d(K, S)` and
/// `nn.AvgPool2d(K, S)` (no padding, floor mode), and `globalavgpool`, each image's channels
/// averaged over its positions (`nn.AdaptiveAvgPool2d(1)` then `nn.Flatten()`). Row-local, no
/// parameters. Scratch, training only: max pooling keeps where each maximum was, (B, O), so
/// its backward is one scatter.
///
/// Letters (Layer.swift): R images, each channels-last (TensorShape).
final class PoolLayer: Layer, @unchecked Sendable {
    enum Kind { case max, average }
    let kind: Kind
    let window: Window

    init(_ kind: Kind, window: Window) {
        precondition(window.padding == 0, "PoolLayer: pools take no padding")
        self.kind = kind
        self.window = window
    }

    var inputWidth: Int { window.input.count }
    var outputWidth: Int { window.positions * window.input.channels }

    func scratch(training: Bool) -> ScratchNeeds {
        precondition(inputWidth < 1 << 24, "PoolLayer: an image of \(inputWidth) floats has indices a Float cannot hold")
        return training && kind == .max ? ScratchNeeds(perRow: [outputWidth]) : ScratchNeeds()
    }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let n = inputWidth, m = outputWidth
        for r in rows {
            switch kind {
            case .max: ImageKernels.maxPool(io.input + r * n, window, into: io.output + r * m, at: io.scratch.first.map { $0 + r * m })
            case .average: ImageKernels.avgPool(io.input + r * n, window, into: io.output + r * m)
            }
        }
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let n = inputWidth, m = outputWidth
        for r in rows {
            switch kind {
            case .max: ImageKernels.maxPoolBackward(dY + r * m, at: io.scratch[0] + r * m, window, into: dX + r * n)
            case .average: ImageKernels.avgPoolBackward(dY + r * m, window, into: dX + r * n)
            }
        }
    }
}

/// `globalavgpool`: an image (P, C) → its channels' means (C), the sum over positions in order
/// divided by P.
final class GlobalAvgPoolLayer: Layer, @unchecked Sendable {
    let image: ImageShape

    init(image: ImageShape) { self.image = image }

    var inputWidth: Int { image.count }
    var outputWidth: Int { image.channels }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let c = image.channels, p = image.positions, count = Float(p)
        for r in rows {
            let x = io.input + r * inputWidth, y = io.output + r * c
            y.update(repeating: 0, count: c)
            for i in 0..<p { for ci in 0..<c { y[ci] += x[i * c + ci] } }
            for ci in 0..<c { y[ci] /= count }
        }
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let c = image.channels, p = image.positions, count = Float(p)
        for r in rows {
            let dy = dY + r * c, dx = dX + r * inputWidth
            for i in 0..<p { for ci in 0..<c { dx[i * c + ci] = dy[ci] / count } }
        }
    }
}
