/// Rows of a streamed split read in file order, a window of blocks at a time, on the calling
/// thread: evaluation and statistics over data that does not fit the memory budget.
public final class StreamedRows: SequentialRows {
    public let split: StreamedSplit
    /// The row ranges visited, in order.
    public let blocks: [Range<Int>]
    public let name: String
    /// Rows read per window.
    let windowRows: Int
    private let identity: FileIdentity

    /// - Parameter blocks: row ranges to read (default: the whole split in blocks).
    public init(_ split: StreamedSplit, blocks: [Range<Int>]? = nil, name: String? = nil, windowRows: Int = 1 << 14) throws {
        self.split = split
        self.blocks = blocks ?? StreamPlan.blocks(rows: 0..<split.rows, blockRows: split.blockRows())
        self.name = name ?? split.name
        self.windowRows = max(windowRows, self.blocks.map(\.count).max() ?? 1)
        identity = try FileIdentity(path: split.path)
    }

    public var rows: Int { blocks.reduce(0) { $0 + $1.count } }
    public var featureCount: Int { split.featureCount }
    public var hasLabels: Bool { split.hasLabels }
    public var sampleShape: [Int] { split.sampleShape }
    public var targetWidth: Int? { split.targetWidth }
    public var labelBound: Int? { split.labelBound }

    public func forEachChunk(rows chunk: Int, _ body: (Batch) throws -> Void) throws {
        let reader = try BlockReader(split, identity: identity)
        let window = RowWindow(featureCount: split.featureCount, elementType: split.elementType,
                               capacity: windowRows, targets: split.targets)
        var next = 0
        while next < blocks.count {
            var group: [Range<Int>] = [], held = 0
            while next < blocks.count, held + blocks[next].count <= windowRows {
                group.append(blocks[next])
                held += blocks[next].count
                next += 1
            }
            try reader.read(group, into: window)
            try inflate(window, shuffled: reader.shuffled)
            let order = Array(0..<held)
            var lower = 0
            while lower < held {
                let upper = min(lower + chunk, held)
                try body(Batch([(window, order[lower..<upper])]))
                lower = upper
            }
        }
    }

    /// Inflates the deflated chunks the reader staged in `window`, on the calling thread (a
    /// training window is inflated by the workers, `StreamedData`; here no one else would).
    private func inflate(_ window: RowWindow, shuffled: Bool) throws {
        guard window.nextTask < window.tasks.count else { return }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 2 * (split.chunkBytes ?? 0), alignment: 64)
        defer { scratch.deallocate() }
        let location = "\(split.path):\(split.paths.x)"
        for task in window.tasks[window.nextTask...] {
            try window.inflate(task, shuffled: shuffled, location: location, scratch: scratch)
        }
        window.nextTask = window.tasks.count
    }
}
