/// The rows of a global minibatch that one rank trains on: R contiguous slices, cut as evenly as
/// possible (`Partition.part`), in rank order.
///
/// Each rank's loss gradient is scaled by 1/`globalRows`, not by 1/(its rows), so that the sum
/// of the ranks' gradients is the gradient of the global batch's mean loss; `firstRow` keys the
/// dropout draws by the row's position in the global batch, so that a row gets the same mask
/// whichever rank trains it.
public struct RankShare: Equatable, Sendable {
    /// B, the rows of the global minibatch.
    public var globalRows: Int
    /// Positions [firstRow, firstRow + rows) of the global batch are this rank's.
    public var firstRow: Int
    public var rows: Int

    /// The whole batch: a single process's share.
    public init(wholeBatchOf rows: Int) {
        self.init(globalRows: rows, firstRow: 0, rows: rows)
    }

    public init(globalRows: Int, firstRow: Int, rows: Int) {
        precondition(firstRow >= 0 && rows >= 0 && firstRow + rows <= globalRows, "RankShare: rows within the batch")
        (self.globalRows, self.firstRow, self.rows) = (globalRows, firstRow, rows)
    }

    /// Rank `rank`'s share of a batch of `globalRows` rows cut among `ranks` ranks.
    public init(globalRows: Int, rank: Int, of ranks: Int) {
        precondition(ranks > 0 && (0..<ranks).contains(rank), "RankShare: rank \(rank) of \(ranks)")
        let part = Partition.part(globalRows, index: rank, of: ranks)
        self.init(globalRows: globalRows, firstRow: part.lowerBound, rows: part.count)
    }

    /// Positions of this share within the global batch.
    public var range: Range<Int> { firstRow..<(firstRow + rows) }
}
