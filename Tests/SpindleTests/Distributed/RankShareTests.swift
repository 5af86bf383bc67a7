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

    @Test func aShareOfABatchSpanningTwoStoresKeepsItsRows() {
        let first = makeClassificationSplit(rows: 20, features: 2, classes: 3, seed: 1)
        let second = makeClassificationSplit(rows: 20, features: 2, classes: 3, seed: 2)
        let order = Array(0..<10)
        let batch = Batch([(first, order[3..<7]), (second, order[0..<2])])  // rows 3…6 of one, 0…1 of the other
        let share = RankShare(globalRows: 6, rank: 1, of: 2)
        let part = batch.rows(share.range)
        #expect(part.count == 3)
        #expect(part.parts.map { Array($0.indices) } == [[6], [0, 1]])
        #expect(batch.rows(0..<0).count == 0 && batch.rows(0..<0).hasLabels)
    }
}
