/// The rows of one minibatch, in batch order: a run of rows from one store, or (a streamed batch
/// that crosses from one shuffle window into the next) runs from two.
public struct Batch: Sendable {
    /// Batch rows `offset ..< offset + indices.count` are rows `indices` of `store`.
    public struct Part: Sendable {
        public let store: any RowStore
        public let indices: ArraySlice<Int>
        let offset: Int
    }

    public let parts: [Part]
    public let count: Int

    public init(split: any RowStore, indices: ArraySlice<Int>) {
        self.init([(split, indices)])
    }

    /// Batch made of consecutive runs: rows of the first run come first.
    public init(_ runs: [(store: any RowStore, indices: ArraySlice<Int>)]) {
        var offset = 0
        parts = runs.map { run in
            defer { offset += run.indices.count }
            return Part(store: run.store, indices: run.indices, offset: offset)
        }
        count = offset
    }

    /// Batch rows `range` as a batch of their own (e.g. one MPI rank's share).
    public func rows(_ range: Range<Int>) -> Batch {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "Batch: rows \(range) of \(count)")
        var runs = parts.compactMap { part -> (store: any RowStore, indices: ArraySlice<Int>)? in
            let lo = max(range.lowerBound, part.offset), hi = min(range.upperBound, part.offset + part.indices.count)
            guard lo < hi else { return nil }
            let first = part.indices.startIndex + (lo - part.offset)
            return (part.store, part.indices[first..<(first + hi - lo)])
        }
        // An empty share keeps its store, so that it still knows what its rows would hold.
        if runs.isEmpty, let part = parts.first { runs = [(part.store, part.indices.prefix(0))] }
        return Batch(runs)
    }

    /// Copies the batch's class labels, (B), into `labels` (a batch with labels).
    func gatherLabels(into labels: UnsafeMutablePointer<Int32>) {
        for part in parts { part.store.gatherLabels(part.indices, into: labels + part.offset) }
    }

    /// Whether the rows carry class labels.
    public var hasLabels: Bool { parts.first?.store.hasLabels ?? false }

    /// Copies batch rows `rows` into row-major buffers, converting as it goes, then applies
    /// `scaling` (the model's feature standardisation) to them. The engine's gather: it trusts
    /// the shapes the trainer and evaluator checked up front; callers outside the library use the
    /// checked `gather(rows:into:…)` (Batch+Checked.swift).
    /// - Parameters:
    ///   - x: (B, F); rows `rows` are written.
    ///   - labels: (B) class indices, for label targets.
    ///   - targets: (B, T) float targets: regression values, or one-hot labels (T = C) for MSE
    ///     on a classification dataset.
    func gather(rows: Range<Int>, x: UnsafeMutablePointer<Float>,
                labels: UnsafeMutablePointer<Int32>?,
                targets: UnsafeMutablePointer<Float>?, targetWidth: Int,
                scaling: FeatureScaling? = nil) {
        guard let f = parts.first?.store.featureCount else { return }
        for part in parts {
            let lo = max(rows.lowerBound, part.offset), hi = min(rows.upperBound, part.offset + part.indices.count)
            guard lo < hi else { continue }
            let first = part.indices.startIndex + (lo - part.offset)
            part.store.gather(part.indices[first..<(first + hi - lo)], x: x + lo * f,
                              labels: labels.map { $0 + lo }, targets: targets.map { $0 + lo * targetWidth },
                              targetWidth: targetWidth)
        }
        scaling?.apply(x + rows.lowerBound * f, rows: rows.count)
    }
}
