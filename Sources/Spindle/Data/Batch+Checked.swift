/// The public form of `Batch.gather`: the engine's own gather writes through raw pointers and
/// trusts the shapes that the trainer and evaluator checked once, up front; a caller's buffers
/// are checked here, on every call, before anything is written.
///
/// Letters: B batch rows, F features, T targets per row (C classes for one-hot labels).
extension Batch {
    /// The features every store of the batch has: F.
    public var featureCount: Int { parts.first?.store.featureCount ?? 0 }

    /// Copies batch rows `rows` into row-major buffers, converting as it goes (uint8 scaled by
    /// 1/255), then applies `scaling`. Rows land at their batch positions: batch row r is row r
    /// of `x`, `labels` and `targets`.
    /// - Parameters:
    ///   - x: (B, F), or at least `rows.upperBound` rows of F.
    ///   - labels: (B) class indices, for label targets.
    ///   - targets: (B, T) float targets: regression values (T their width), or one-hot labels
    ///     (T = C, each label below it).
    ///   - scaling: the model's standardisation, F wide.
    /// - Throws: `SpindleError.invalidData` when the rows are not the batch's, the stores do not
    ///   agree, a buffer is too small, or a target does not fit T.
    public func gather(rows: Range<Int>, into x: UnsafeMutableBufferPointer<Float>,
                       labels: UnsafeMutableBufferPointer<Int32>? = nil,
                       targets: UnsafeMutableBufferPointer<Float>? = nil, targetWidth: Int = 0,
                       scaling: FeatureScaling? = nil) throws {
        func invalid(_ problem: String) -> SpindleError { .invalidData(location: "batch of \(count) rows", problem: problem) }
        guard rows.lowerBound >= 0, rows.upperBound <= count else {
            throw invalid("has no rows \(rows); expected a range within 0..<\(count)")
        }
        guard !rows.isEmpty else { return }
        let f = featureCount
        for part in parts {
            guard part.store.featureCount == f, part.store.hasLabels == hasLabels else {
                throw invalid("mixes rows of \(f) and \(part.store.featureCount) features (or labels with float targets)")
            }
            try (part.store as? DatasetSplit)?.validate()
            if let stored = Self.rowCount(part.store), let bad = part.indices.first(where: { $0 < 0 || $0 >= stored }) {
                throw invalid("asks for row \(bad) of a store of \(stored) rows")
            }
        }
        func fits(_ name: String, _ count: Int, _ width: Int) throws {
            guard count >= rows.upperBound * width else {
                throw invalid("\(name) holds \(count) values; rows \(rows) of \(width) need \(rows.upperBound * width)")
            }
        }
        try fits("x", x.count, f)
        if let labels { try fits("labels", labels.count, 1) }
        if let scaling, scaling.featureCount != f {
            throw invalid("has \(f) features, but the standardisation has \(scaling.featureCount)")
        }
        guard let targets else {
            gather(rows: rows, x: x.baseAddress!, labels: labels?.baseAddress, targets: nil, targetWidth: 0, scaling: scaling)
            return
        }
        guard targetWidth > 0 else { throw invalid("targets asked for with targetWidth \(targetWidth); expected at least 1") }
        try fits("targets", targets.count, targetWidth)
        if let width = Self.valueWidth(parts.first?.store), width != targetWidth {
            throw invalid("has \(width) targets per row, but targetWidth is \(targetWidth)")
        }
        guard hasLabels else {
            gather(rows: rows, x: x.baseAddress!, labels: labels?.baseAddress, targets: targets.baseAddress,
                   targetWidth: targetWidth, scaling: scaling)
            return
        }
        // One-hot targets: the labels are read first and checked, then written as rows of T.
        var read = [Int32](repeating: 0, count: rows.upperBound)
        try read.withUnsafeMutableBufferPointer { read in
            gather(rows: rows, x: x.baseAddress!, labels: read.baseAddress, targets: nil, targetWidth: 0, scaling: scaling)
            for r in rows {
                guard read[r] >= 0 && Int(read[r]) < targetWidth else {
                    throw invalid("label \(read[r]) at batch row \(r) is out of range: expected 0..<\(targetWidth)")
                }
                writeOneHot(read[r], into: targets.baseAddress! + r * targetWidth, width: targetWidth)
                labels?[r] = read[r]
            }
        }
    }

    /// Rows a store holds, for the stores of this library; nil for a caller's own.
    private static func rowCount(_ store: any RowStore) -> Int? {
        (store as? DatasetSplit)?.rows ?? (store as? RowWindow)?.rows
    }

    /// T of a store of float targets; nil for labels, no targets or a caller's own store.
    private static func valueWidth(_ store: (any RowStore)?) -> Int? {
        if let split = store as? DatasetSplit { return split.targetWidth }
        if let window = store as? RowWindow, case .values(let width) = window.targets { return width }
        return nil
    }
}
