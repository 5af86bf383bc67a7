import Spindle
import Testing

/// How a global batch is cut among ranks.
@Suite struct RankShareTests {
    /// Contiguous, in rank order, covering every row once, as even as possible.
    @Test(arguments: [(256, 2), (257, 2), (10, 3), (1, 3), (0, 2), (100, 7)])
    func sharesTileTheBatch(rows: Int, ranks: Int) {
        let shares = (0..<ranks).map { RankShare(globalRows: rows, rank: $0, of: ranks) }
        #expect(shares.first?.firstRow == 0)
        for (a, b) in zip(shares, shares.dropFirst()) { #expect(a.range.upperBound == b.firstRow) }
        #expect(shares.map(\.rows).reduce(0, +) == rows)
        let counts = shares.map(\.rows)
        #expect((counts.max() ?? 0) - (counts.min() ?? 0) <= 1, "\(counts)")
        #expect(shares.allSatisfy { $0.globalRows == rows })
    }

    @Test func sliceTakesTheShareOfAnOffsetSlice() {
        let order = Array(100..<110)
        let batch = order[3..<9]  // a batch that does not start at index 0: rows 103…108
        let share = RankShare(globalRows: 6, rank: 1, of: 2)
        #expect(Array(share.slice(of: batch)) == [106, 107, 108])
        #expect(RankShare(wholeBatchOf: 6).slice(of: batch) == batch)
    }
}
