import HDF5Kit

/// A split that is read from its file while training instead of loaded whole: its shape and
/// types, checked up front, and what its targets hold (labels are range-checked in one pass over y,
/// which is small next to x).
public struct StreamedSplit: Sendable {
    public let path: String
    public let paths: DatasetReader.SplitPaths
    /// "data.h5:/train", for messages.
    public let name: String
    public let rows: Int
    public let featureCount: Int
    /// x's shape a row: [F], or an image's [H, W], [C, H, W] or [H, W, C].
    public let sampleShape: [Int]
    public let elementType: H5ElementType
    public let targets: RowWindow.TargetKind
    /// Rows per storage chunk of x, nil when x is contiguous.
    public let chunkRows: Int?
    public let filters: [String]
    /// Largest label + 1, for labels.
    public let labelBound: Int?
    /// Bytes x takes in the file, against its bytes in memory: below 1 when compressed.
    public let compressionRatio: Double

    /// Rows per pass when checking y.
    static let checkRows = 1 << 20

    /// - Throws: `SpindleError.invalidData` naming the file and dataset.
    public static func open(_ path: String, _ paths: DatasetReader.SplitPaths, requireTargets: Bool = true) throws -> StreamedSplit {
        let file = try DatasetReader.openFile(path)
        let x = try DatasetReader.features(file, paths.x)
        let rows = x.shape[0]
        var targets = RowWindow.TargetKind.none
        var bound: Int? = nil
        if let y = try DatasetReader.targetsDataset(file, paths, rows: rows, required: requireTargets) {
            if y.elementType.isInteger {
                targets = .labels
                var largest: Int64 = -1
                for lower in stride(from: 0, to: rows, by: checkRows) {
                    let labels: [Int64] = try y.read(rows: lower..<min(lower + checkRows, rows))
                    try DatasetReader.checkLabelValues(labels, firstRow: lower, y)
                    largest = max(largest, labels.max() ?? -1)
                }
                bound = Int(largest) + 1
            } else {
                let width = y.shape.count == 2 ? y.shape[1] : 1
                targets = .values(width: width)
                for lower in stride(from: 0, to: rows, by: checkRows) {
                    let values: [Float] = try y.read(rows: lower..<min(lower + checkRows, rows))
                    try DatasetReader.checkTargetValues(values, width: width, firstRow: lower, y)
                }
            }
        }
        return StreamedSplit(path: path, paths: paths, name: DatasetReader.splitName(file, paths), rows: rows,
                             featureCount: x.rowElementCount, sampleShape: Array(x.shape.dropFirst()), elementType: x.elementType, targets: targets,
                             chunkRows: x.chunkShape?.first, filters: x.filters, labelBound: bound,
                             compressionRatio: Double(x.storedBytes()) / Double(x.elementCount * x.elementType.byteSize))
    }

    /// Bytes of one row in memory: features in the file's type, plus targets.
    public var rowBytes: Int {
        RowWindow.bytes(rows: 1, featureCount: featureCount, elementType: elementType, targets: targets)
    }

    /// Bytes of one storage chunk of x, nil when x is contiguous.
    public var chunkBytes: Int? { chunkRows.map { $0 * featureCount * elementType.byteSize } }

    public var hasLabels: Bool { targets == .labels }

    public var targetWidth: Int? {
        if case .values(let width) = targets { return width }
        return nil
    }

    /// Rows per block: whole chunks, about `targetBytes` of x (default: 1 MiB, or a 64th of x
    /// when that is less, so that even a small split is cut into blocks to shuffle), so every
    /// read is a chunk-aligned hyperslab.
    public func blockRows(targetBytes: Int? = nil) -> Int {
        let xRowBytes = featureCount * elementType.byteSize
        let target = targetBytes ?? min(1 << 20, rows * xRowBytes / 64)
        let unit = chunkRows ?? 1
        let units = max(1, target / max(1, unit * xRowBytes))
        return min(rows, unit * units)
    }

    /// Whether x's chunks are so small (under 16 KiB, e.g. one row each) that reading them is
    /// dominated by per-chunk overhead.
    public var hasTinyChunks: Bool { (chunkBytes ?? .max) < 16 << 10 }

    /// Whether x is compressed yet barely smaller (random-looking floats): inflating it then costs
    /// the workers more than reading it uncompressed would.
    public var compressesPoorly: Bool { filters.contains("deflate") && compressionRatio > 0.8 }
}

extension StreamedSplit {
    /// Bytes the split takes loaded whole: uint8 features as they are, other types as Float.
    public var inMemoryBytes: Int {
        let targetBytes: Int
        switch targets {
        case .labels: targetBytes = 4
        case .values(let width): targetBytes = 4 * width
        case .none: targetBytes = 0
        }
        return rows * (featureCount * (elementType == .uint8 ? 1 : 4) + targetBytes)
    }

    /// The split's rows in file order: loaded whole when they take at most `bytes`, else read
    /// from the file a window at a time.
    public func rows(within bytes: Int) throws -> any SequentialRows {
        guard inMemoryBytes <= bytes else { return try StreamedRows(self) }
        return try DatasetReader.load(try DatasetReader.openFile(path), paths, requireTargets: targets != .none)
    }

    /// How to stream the split within `budget`: blocks of whole chunks (about 1 MiB), and windows of
    /// `windowRows` rows (default: what `prefetch + 1` windows in min(budget, 384 MiB) hold), but at
    /// least a batch and a block, so that a batch spans at most two windows.
    /// - Parameter reserved: bytes of the budget kept for other splits (the window an evaluation
    ///   split is read through), which the ring must leave free.
    /// - Throws: `SpindleError.invalidConfig` when the budget cannot hold the ring of windows.
    public func streamLayout(budget: MemoryBudget, prefetch: Int, batchSize: Int,
                             windowRows: Int? = nil, reserved: Int = 0) throws -> TrainingConfig.StreamLayout {
        let blockRows = self.blockRows(), ring = prefetch + 1
        let fewest = (batchSize + blockRows - 1) / blockRows + 1
        // An explicit window size is rounded up to whole blocks; the budget's share, down.
        let asked = windowRows.map { ($0 + blockRows - 1) / blockRows }
            ?? min(max(budget.bytes - reserved, 0), MemoryBudget.streamingCap) / ring / rowBytes / blockRows
        let blockCount = (rows + blockRows - 1) / blockRows
        let blocks = min(max(asked, fewest, 2), blockCount)
        let needed = ring * blocks * blockRows * rowBytes
        guard needed + reserved <= budget.bytes else {
            throw SpindleError.invalidConfig(
                setting: "memory-budget", found: budget.description,
                expected: "at least \(MemoryBudget.format(needed + reserved)) to stream \(name): \(ring) windows " +
                    "(--prefetch \(prefetch) + 1) of \(blocks) blocks of \(blockRows) rows, a window being at " +
                    "least a batch plus a block" +
                    (reserved > 0 ? ", and \(MemoryBudget.format(reserved)) to read the evaluation splits through" : ""))
        }
        return TrainingConfig.StreamLayout(blockRows: blockRows, windowBlocks: blocks)
    }
}
