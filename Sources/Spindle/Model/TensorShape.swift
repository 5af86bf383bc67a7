/// An image's shape as PyTorch writes it: (C, H, W).
public struct ImageShape: Codable, Equatable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Pixels per channel, H · W: a convolution's or pool's "positions".
    public var positions: Int { height * width }
    /// Floats per image, C · H · W.
    public var count: Int { channels * positions }
    public var dimensions: [Int] { [channels, height, width] }
    /// "(32, 14, 14)".
    public var description: String { "(\(channels), \(height), \(width))" }
}

/// What one row carries between layers: a vector of features, or an image.
///
/// Inside the engine an image's row is channels-last, (H, W, C), element (y, x, c) at
/// (y·W + x)·C + c: a convolution is then one GEMM over (rows·positions, channels), and a
/// per-channel batchnorm the same reduction as a per-feature one. `flatten` turns it into
/// PyTorch's (C, H, W) order, so a following dense layer's weights mean what they mean there.
public enum TensorShape: Equatable, Sendable, CustomStringConvertible {
    case vector(Int)
    case image(ImageShape)

    /// Floats per row.
    public var count: Int {
        switch self {
        case let .vector(width): return width
        case let .image(image): return image.count
        }
    }

    /// [F] or [C, H, W], as the layer table and the model file write it.
    public var dimensions: [Int] {
        switch self {
        case let .vector(width): return [width]
        case let .image(image): return image.dimensions
        }
    }

    public var image: ImageShape? {
        if case let .image(image) = self { return image }
        return nil
    }

    public var description: String {
        switch self {
        case let .vector(width): return "(\(width))"
        case let .image(image): return image.description
        }
    }
}
