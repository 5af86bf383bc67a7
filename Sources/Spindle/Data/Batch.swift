/// The rows of one minibatch: positions 0..<count of the batch map to rows `indices` of `split`.
public struct Batch: Sendable {
    public let split: DatasetSplit
    public let indices: ArraySlice<Int>

    public init(split: DatasetSplit, indices: ArraySlice<Int>) {
        self.split = split
        self.indices = indices
    }

    public var count: Int { indices.count }

    /// Copies batch rows `rows` into row-major buffers, converting as it goes.
    /// - Parameters:
    ///   - x: (B, F); rows `rows` are written.
    ///   - labels: (B) class indices, for label targets.
    ///   - targets: (B, T) float targets: regression values, or one-hot labels (T = C) for MSE
    ///     on a classification dataset.
    public func gather(rows: Range<Int>, x: UnsafeMutablePointer<Float>,
                       labels: UnsafeMutablePointer<Int32>?,
                       targets: UnsafeMutablePointer<Float>?, targetWidth: Int) {
        let f = split.featureCount
        let start = indices.startIndex
        switch split.features {
        case .uint8(let all):
            all.withUnsafeBufferPointer { source in
                for r in rows {
                    let src = source.baseAddress! + indices[start + r] * f
                    let dst = x + r * f
                    for j in 0..<f { dst[j] = Float(src[j]) / 255 }
                }
            }
        case .float32(let all):
            all.withUnsafeBufferPointer { source in
                for r in rows {
                    (x + r * f).update(from: source.baseAddress! + indices[start + r] * f, count: f)
                }
            }
        }
        switch split.targets {
        case .labels(let all):
            for r in rows {
                let label = all[indices[start + r]]
                labels?[r] = label
                if let targets {
                    let tr = targets + r * targetWidth
                    tr.update(repeating: 0, count: targetWidth)
                    tr[Int(label)] = 1
                }
            }
        case .values(let all, let width):
            guard let targets else { return }
            all.withUnsafeBufferPointer { source in
                for r in rows {
                    (targets + r * width).update(from: source.baseAddress! + indices[start + r] * width,
                                                 count: width)
                }
            }
        case .none:
            break
        }
    }
}
