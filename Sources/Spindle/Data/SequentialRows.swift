/// A split read front to back in row order, a chunk of rows at a time: what evaluation,
/// prediction and the standardisation statistics read. Held in memory (`DatasetSplit`) or
/// streamed from its file (`StreamedRows`).
public protocol SequentialRows: AnyObject {
    /// "data.h5:/test", for messages.
    var name: String { get }
    var rows: Int { get }
    var featureCount: Int { get }
    var hasLabels: Bool { get }
    /// Width of float targets, nil for labels or none.
    var targetWidth: Int? { get }
    /// Largest label + 1 for labels.
    var labelBound: Int? { get }
    /// x's shape a row: [F], or an image's [H, W], [C, H, W] or [H, W, C].
    var sampleShape: [Int] { get }
    /// Calls `body` with consecutive batches of at most `rows` rows, in file order.
    func forEachChunk(rows: Int, _ body: (Batch) throws -> Void) throws
}

extension SequentialRows {
    /// Rows of F features, for a caller's own rows that say nothing else.
    public var sampleShape: [Int] { [featureCount] }
}

extension DatasetSplit: SequentialRows {
    public func forEachChunk(rows chunk: Int, _ body: (Batch) throws -> Void) rethrows {
        var lower = 0
        while lower < rows {
            let upper = min(lower + chunk, rows)
            try body(Batch(split: self, indices: Array(lower..<upper)[...]))
            lower = upper
        }
    }
}
