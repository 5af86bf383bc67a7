/// Feature standardisation, part of a model: x ← (x − mean) / std per feature, with the
/// statistics of the training set computed once before training and saved with the weights, so
/// evaluation and prediction scale their inputs the same way. For images the statistics are
/// each channel's, over all its pixels (as torchvision's `Normalize(mean, std)`), and every
/// feature of a channel gets its channel's.
public struct FeatureScaling: Sendable, Equatable {
    /// Each feature's mean and deviation (F): for images, its channel's.
    public let mean: [Float]
    public let std: [Float]
    /// 1/std, what `apply` multiplies by.
    private let inverseStd: [Float]
    /// For images, the statistics per channel (what the model file stores) and where each
    /// channel's values sit in a row; nil for statistics per feature.
    public let channels: Channels?

    /// Per-channel statistics of images, (C) each.
    public struct Channels: Sendable, Equatable {
        public let image: ImageShape
        /// Whether the rows store images (H, W, C) rather than (C, H, W).
        public let channelsLast: Bool
        public let mean: [Float]
        public let std: [Float]
    }

    /// - Parameter std: each feature's standard deviation; 0 (a constant feature) is treated as 1,
    ///   as Keras' Normalization does, so the feature becomes 0 instead of a division by zero.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "FeatureScaling: \(mean.count) means, \(std.count) deviations")
        self.mean = mean
        self.std = std.map(Self.usable)
        inverseStd = self.std.map { 1 / $0 }
        channels = nil
    }

    /// Statistics per channel of `image`, each feature of a row taking its channel's.
    /// - Parameters:
    ///   - mean, std: (C) each; a deviation of 0 (a constant channel) is treated as 1.
    ///   - channelsLast: whether rows store the image (H, W, C) rather than (C, H, W).
    public init(channelMean mean: [Float], channelStd std: [Float], image: ImageShape, channelsLast: Bool) {
        precondition(mean.count == image.channels && std.count == image.channels,
                     "FeatureScaling: \(mean.count) means, \(std.count) deviations for \(image.channels) channels")
        let std = std.map(Self.usable)
        let channel = (0..<image.count).map { channelsLast ? $0 % image.channels : $0 / image.positions }
        self.mean = channel.map { mean[$0] }
        self.std = channel.map { std[$0] }
        inverseStd = self.std.map { 1 / $0 }
        channels = Channels(image: image, channelsLast: channelsLast, mean: mean, std: std)
    }

    private static func usable(_ std: Float) -> Float { std > 0 && std.isFinite ? std : 1 }

    /// What a model file stores: the statistics per channel for images, else per feature.
    public var stored: (mean: [Float], std: [Float]) {
        channels.map { ($0.mean, $0.std) } ?? (mean, std)
    }

    public var featureCount: Int { mean.count }

    /// Standardises rows held in an array, (N, F) row-major, in place.
    /// - Throws: `SpindleError.invalidData` unless `x` holds whole rows of F features.
    public func apply(to x: inout [Float]) throws {
        guard featureCount > 0, x.count % featureCount == 0 else {
            throw SpindleError.invalidData(
                location: "standardisation", problem: "given \(x.count) values; expected whole rows of \(featureCount) features")
        }
        x.withUnsafeMutableBufferPointer { apply($0.baseAddress!, rows: $0.count / featureCount) }
    }

    /// Standardises `rows` rows of `featureCount` features in place. Internal: the engine's
    /// form, raw pointer and trusted row count; `apply(to:)` is the checked one.
    func apply(_ x: UnsafeMutablePointer<Float>, rows: Int) {
        let f = featureCount
        mean.withUnsafeBufferPointer { m in
            inverseStd.withUnsafeBufferPointer { s in
                for r in 0..<rows {
                    let row = x + r * f
                    for j in 0..<f { row[j] = (row[j] - m[j]) * s[j] }
                }
            }
        }
    }
}

/// Per-feature mean and variance over rows added a block at a time, in Double, merging the
/// blocks with Chan et al.'s pairwise update: stable for any number of rows, and the same result
/// for the same blocks in the same order.
public struct FeatureStatistics: Sendable {
    public private(set) var rows = 0
    private var mean: [Double]
    private var squaredDeviations: [Double]

    public init(features: Int) {
        mean = [Double](repeating: 0, count: features)
        squaredDeviations = mean
    }

    /// Adds rows held in an array, (N, F) row-major.
    /// - Throws: `SpindleError.invalidData` unless `x` holds whole rows of F features.
    public mutating func add(_ x: [Float]) throws {
        guard !mean.isEmpty, x.count % mean.count == 0 else {
            throw SpindleError.invalidData(
                location: "standardisation statistics", problem: "given \(x.count) values; expected whole rows of \(mean.count) features")
        }
        x.withUnsafeBufferPointer { add($0.baseAddress!, count: $0.count / mean.count) }
    }

    /// Adds `count` rows of converted features, (count, F) row-major. Internal: the raw-pointer
    /// form the trainer uses; `add(_:)` is the checked one.
    mutating func add(_ x: UnsafePointer<Float>, count: Int) {
        guard count > 0 else { return }
        let f = mean.count
        var blockMean = [Double](repeating: 0, count: f), blockM2 = blockMean
        for r in 0..<count { for j in 0..<f { blockMean[j] += Double(x[r * f + j]) } }
        for j in 0..<f { blockMean[j] /= Double(count) }
        for r in 0..<count {
            for j in 0..<f {
                let d = Double(x[r * f + j]) - blockMean[j]
                blockM2[j] += d * d
            }
        }
        let n = Double(rows), m = Double(count), total = n + m
        for j in 0..<f {
            let delta = blockMean[j] - mean[j]
            mean[j] += delta * m / total
            squaredDeviations[j] += blockM2[j] + delta * delta * n * m / total
        }
        rows += count
    }

    /// The population statistics of each channel of `image` over its pixels and the rows,
    /// pooled from the features' exactly: a channel's mean is its P features' mean (each over
    /// the same rows), and its squared deviations are theirs plus n·(feature mean − channel
    /// mean)² each (Chan et al.'s merge of P groups of n).
    /// - Parameter channelsLast: whether rows store the image (H, W, C) rather than (C, H, W).
    public func channelScaling(_ image: ImageShape, channelsLast: Bool) -> FeatureScaling {
        precondition(image.count == mean.count, "FeatureStatistics: \(mean.count) features for image \(image)")
        let n = Double(max(rows, 1)), p = image.positions
        var means: [Float] = [], deviations: [Float] = []
        for c in 0..<image.channels {
            let features = (0..<p).map { channelsLast ? $0 * image.channels + c : c * p + $0 }
            let channelMean = features.reduce(0.0) { $0 + mean[$1] } / Double(p)
            let squares = features.reduce(0.0) { total, j in
                let shift = mean[j] - channelMean
                return total + squaredDeviations[j] + n * shift * shift
            }
            means.append(Float(channelMean))
            deviations.append(Float((squares / (n * Double(p))).squareRoot()))
        }
        return FeatureScaling(channelMean: means, channelStd: deviations, image: image, channelsLast: channelsLast)
    }

    /// Σ over features and rows of (x − mean)²: a regression's total sum of squares.
    public var totalSquaredDeviation: Double { squaredDeviations.reduce(0, +) }

    /// The population statistics (divided by N, as Keras and scikit-learn's StandardScaler).
    public var scaling: FeatureScaling {
        let n = Double(max(rows, 1))
        return FeatureScaling(mean: mean.map { Float($0) },
                              std: squaredDeviations.map { Float(($0 / n).squareRoot()) })
    }
}
