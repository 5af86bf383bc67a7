/// One split of a dataset (train, validation or test) held in memory in its stored element type.
///
/// Features stay uint8 when stored so (a quarter of the memory of Float) and are converted while
/// a worker gathers its rows of a batch — conversion is part of the parallel step, not a serial
/// pass over the file (DESIGN.md: uint8 is scaled by 1/255 on the fly).
public final class DatasetSplit: RowStore, @unchecked Sendable {
    /// Features, (N, F) row-major.
    public enum Features: Sendable {
        /// Scaled by 1/255 when read.
        case uint8([UInt8])
        case float32([Float])
    }
    /// What the network is trained to predict.
    public enum Targets: Sendable {
        /// Class indices 0..<C, (N).
        case labels([Int32])
        /// Regression targets, (N, T) row-major.
        case values([Float], width: Int)
        /// Features only (data to predict on).
        case none
    }

    /// Where the split came from, for messages: "data.h5:/train".
    public let name: String
    public let rows: Int
    public let featureCount: Int
    public let features: Features
    public let targets: Targets
    /// x's shape a row as its file stores it: [F], or an image's [H, W], [C, H, W] or [H, W, C]
    /// (F values row-major either way).
    public let sampleShape: [Int]

    /// - Parameter sampleShape: x's shape a row (default [F]); `validate()` checks that it holds F values.
    public init(name: String, rows: Int, featureCount: Int, features: Features, targets: Targets,
                sampleShape: [Int]? = nil) {
        self.name = name
        self.rows = rows
        self.featureCount = featureCount
        self.features = features
        self.targets = targets
        self.sampleShape = sampleShape ?? [featureCount]
    }

    /// Whether the targets are class labels.
    public var hasLabels: Bool {
        if case .labels = targets { return true }
        return false
    }

    /// Largest label + 1 for classification, nil for regression targets.
    public var labelBound: Int? {
        guard case .labels(let labels) = targets else { return nil }
        return Int(labels.max() ?? -1) + 1
    }

    /// Width of the regression targets, nil for labels.
    public var targetWidth: Int? {
        guard case .values(_, let width) = targets else { return nil }
        return width
    }

    /// The same split restricted to `indices` (used to hold out a validation fraction).
    public func subset(_ indices: [Int], name: String) -> DatasetSplit {
        let f = featureCount
        func pick<T>(_ all: [T], width: Int) -> [T] {
            var out: [T] = []
            out.reserveCapacity(indices.count * width)
            for i in indices { out.append(contentsOf: all[(i * width)..<((i + 1) * width)]) }
            return out
        }
        let features: Features
        switch self.features {
        case .uint8(let x): features = .uint8(pick(x, width: f))
        case .float32(let x): features = .float32(pick(x, width: f))
        }
        let targets: Targets
        switch self.targets {
        case .labels(let y): targets = .labels(pick(y, width: 1))
        case .values(let y, let width): targets = .values(pick(y, width: width), width: width)
        case .none: targets = .none
        }
        return DatasetSplit(name: name, rows: indices.count, featureCount: f,
                            features: features, targets: targets, sampleShape: sampleShape)
    }
}

extension DatasetSplit {
    public func gatherLabels(_ indices: ArraySlice<Int>, into labels: UnsafeMutablePointer<Int32>) {
        guard case .labels(let all) = targets else { preconditionFailure("DatasetSplit.gatherLabels: \(name) has no labels") }
        for (r, i) in indices.enumerated() { labels[r] = all[i] }
    }

    public func gather(_ indices: ArraySlice<Int>, x: UnsafeMutablePointer<Float>,
                       labels: UnsafeMutablePointer<Int32>?, targets: UnsafeMutablePointer<Float>?,
                       targetWidth: Int) {
        let f = featureCount
        switch features {
        case .uint8(let all):
            all.withUnsafeBufferPointer { source in
                for (r, i) in indices.enumerated() {
                    let src = source.baseAddress! + i * f, dst = x + r * f
                    for j in 0..<f { dst[j] = Float(src[j]) / 255 }
                }
            }
        case .float32(let all):
            all.withUnsafeBufferPointer { source in
                for (r, i) in indices.enumerated() { (x + r * f).update(from: source.baseAddress! + i * f, count: f) }
            }
        }
        switch self.targets {
        case .labels(let all):
            for (r, i) in indices.enumerated() {
                labels?[r] = all[i]
                if let targets { writeOneHot(all[i], into: targets + r * targetWidth, width: targetWidth) }
            }
        case .values(let all, let width):
            guard let targets else { return }
            precondition(width == targetWidth, "DatasetSplit.gather: \(width) targets a row into rows of \(targetWidth)")
            all.withUnsafeBufferPointer { source in
                for (r, i) in indices.enumerated() {
                    (targets + r * width).update(from: source.baseAddress! + i * width, count: width)
                }
            }
        case .none:
            break
        }
    }
}
