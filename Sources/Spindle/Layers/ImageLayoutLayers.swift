/// The two places an image changes its layout (TensorShape: the engine's images are
/// channels-last): `flatten`, which hands a dense layer the features in PyTorch's (C, H, W)
/// order, and the plan's first layer when the data stores images channels-first with more than
/// one channel (one channel: both orders are the same, and the plan adds nothing).

/// `flatten`: image (H, W, C) → vector in (C, H, W) order, as `nn.Flatten()` after a conv.
final class FlattenLayer: Layer, @unchecked Sendable {
    let image: ImageShape
    init(image: ImageShape) { self.image = image }

    var inputWidth: Int { image.count }
    var outputWidth: Int { image.count }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        for r in rows {
            ImageKernels.transpose(io.input + r * inputWidth, positions: image.positions, channels: image.channels,
                                   into: io.output + r * outputWidth)
        }
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        for r in rows {
            ImageKernels.transpose(dY + r * outputWidth, positions: image.positions, channels: image.channels,
                                   inverse: true, into: dX + r * inputWidth)
        }
    }
}

/// The data's (C, H, W) image → the engine's (H, W, C).
final class ChannelsLastLayer: Layer, @unchecked Sendable {
    let image: ImageShape
    init(image: ImageShape) { self.image = image }

    var inputWidth: Int { image.count }
    var outputWidth: Int { image.count }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        for r in rows {
            ImageKernels.transpose(io.input + r * inputWidth, positions: image.positions, channels: image.channels,
                                   inverse: true, into: io.output + r * outputWidth)
        }
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        for r in rows {
            ImageKernels.transpose(dY + r * outputWidth, positions: image.positions, channels: image.channels,
                                   into: dX + r * inputWidth)
        }
    }
}
