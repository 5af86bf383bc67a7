/// The order a streamed split is visited in, a pure function of (seed, epoch): its blocks
/// (chunk-aligned row ranges of the file) in a permuted order, taken `windowBlocks` at a time into
/// a shuffle window whose rows are permuted in turn. Every row is visited exactly once per epoch;
/// the position in an epoch (a batch index) is all a checkpoint needs to resume it.
///
/// A sequential plan (evaluation, statistics) keeps the blocks and rows in file order.
public struct StreamPlan: Sendable, Equatable {
    /// Row ranges of the file, in file order.
    public let blocks: [Range<Int>]
    public let windowBlocks: Int
    public let seed: UInt64
    public let shuffled: Bool
    /// Rows in all blocks.
    public let rows: Int

    public init(blocks: [Range<Int>], windowBlocks: Int, seed: UInt64, shuffled: Bool) {
        precondition(!blocks.isEmpty && windowBlocks >= 1, "StreamPlan: no blocks, or an empty window")
        self.blocks = blocks
        self.windowBlocks = windowBlocks
        self.seed = seed
        self.shuffled = shuffled
        rows = blocks.reduce(0) { $0 + $1.count }
    }

    /// `rows` rows cut into blocks of `blockRows` (the last one shorter).
    public static func blocks(rows: Range<Int>, blockRows: Int) -> [Range<Int>] {
        stride(from: rows.lowerBound, to: rows.upperBound, by: blockRows).map { $0..<min($0 + blockRows, rows.upperBound) }
    }

    public var windowCount: Int { (blocks.count + windowBlocks - 1) / windowBlocks }

    /// Largest number of rows a window can hold.
    public var windowCapacity: Int {
        blocks.map(\.count).sorted(by: >).prefix(windowBlocks).reduce(0, +)
    }

    /// The windows of one epoch.
    public func epoch(_ epoch: Int) -> Epoch {
        let order = shuffled
            ? Shuffle.permutation(count: blocks.count, seed: seed, epoch: epoch, purpose: .blockShuffle)
            : Array(blocks.indices)
        let windows = stride(from: 0, to: order.count, by: windowBlocks).map {
            order[$0..<min($0 + windowBlocks, order.count)].map { blocks[$0] }
        }
        return Epoch(epoch: epoch, seed: seed, shuffled: shuffled, windows: windows)
    }

    /// One epoch's windows and where each starts in the epoch's order.
    public struct Epoch: Sendable {
        public let epoch: Int
        let seed: UInt64
        let shuffled: Bool
        /// Each window's blocks, in the order they are read and concatenated.
        public let windows: [[Range<Int>]]
        /// Position in the epoch of each window's first row; one more entry: the epoch's rows.
        public let starts: [Int]

        init(epoch: Int, seed: UInt64, shuffled: Bool, windows: [[Range<Int>]]) {
            self.epoch = epoch
            self.seed = seed
            self.shuffled = shuffled
            self.windows = windows
            var starts = [0]
            for window in windows { starts.append(starts.last! + window.reduce(0) { $0 + $1.count }) }
            self.starts = starts
        }

        /// Rows of window `w`.
        public func rows(_ w: Int) -> Int { starts[w + 1] - starts[w] }

        /// The order window `w`'s rows (numbered as read, block after block) are visited in.
        public func order(_ w: Int) -> [Int] {
            shuffled
                ? Shuffle.permutation(count: rows(w), seed: seed, epoch: epoch, purpose: .windowShuffle,
                                      substream: UInt32(w))
                : Array(0..<rows(w))
        }

        /// The window holding position `p` of the epoch.
        public func window(containing p: Int) -> Int {
            var lo = 0, hi = windows.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if starts[mid] <= p { lo = mid } else { hi = mid - 1 }
            }
            return lo
        }

        /// The file rows of the whole epoch in visiting order (for tests: O(rows) memory).
        public func fileRows() -> [Int] {
            windows.indices.flatMap { w -> [Int] in
                let rows = windows[w].flatMap { Array($0) }
                return order(w).map { rows[$0] }
            }
        }
    }
}
