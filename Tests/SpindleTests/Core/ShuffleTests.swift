import Spindle
import Testing

/// `Shuffle.permutation` is a pure function of (count, seed, epoch): a permutation, reproducible,
/// different across epochs and seeds, and uniform.
struct ShuffleTests {
    @Test(arguments: [0, 1, 2, 3, 10, 37, 1_000])
    func everyRowExactlyOnce(count: Int) {
        for (seed, epoch) in [(UInt64(0), 0), (1, 0), (0, 1), (.max, 12_345)] {
            let order = Shuffle.permutation(count: count, seed: seed, epoch: epoch)
            #expect(order.sorted() == Array(0..<count), "count \(count), seed \(seed), epoch \(epoch)")
        }
    }

    @Test func sameForSameSeedAndEpoch() {
        for epoch in 0..<3 {
            #expect(Shuffle.permutation(count: 500, seed: 7, epoch: epoch)
                    == Shuffle.permutation(count: 500, seed: 7, epoch: epoch))
        }
    }

    /// For 1,000 rows two independent uniform permutations coincide with probability 1/1000!, so
    /// equality would mean the epoch or seed is ignored. Fixed points are ~1 on average for a
    /// uniform permutation; more than 20 shared positions would mean strongly correlated orders.
    @Test func differsAcrossEpochsAndSeeds() {
        let base = Shuffle.permutation(count: 1_000, seed: 7, epoch: 0)
        let others = [
            ("epoch 1", Shuffle.permutation(count: 1_000, seed: 7, epoch: 1)),
            ("epoch 2", Shuffle.permutation(count: 1_000, seed: 7, epoch: 2)),
            ("seed 8", Shuffle.permutation(count: 1_000, seed: 8, epoch: 0)),
            ("seed 7 + 2³²", Shuffle.permutation(count: 1_000, seed: 7 + (1 << 32), epoch: 0)),
        ]
        for (name, other) in others {
            let shared = zip(base, other).filter { $0 == $1 }.count
            #expect(shared <= 20, "\(name) agrees with seed 7, epoch 0 at \(shared) of 1000 positions")
        }
        #expect(base != Array(0..<1_000), "the identity is not a shuffle")
    }

    /// Uniformity: the 24 orders of 4 rows over 24,000 epochs should each appear ~1,000 times.
    /// Pearson's χ² with 23 degrees of freedom exceeds 60 with probability < 1e-4; the inputs
    /// are fixed, so the test is deterministic, and a biased swap index (e.g. j ∈ 0..<i instead
    /// of 0...i, Sattolo's algorithm) makes χ² enormous (most orders become impossible).
    @Test func uniformOverOrders() {
        var counts: [[Int]: Int] = [:]
        let epochs = 24_000
        for epoch in 0..<epochs {
            counts[Shuffle.permutation(count: 4, seed: 3, epoch: epoch), default: 0] += 1
        }
        #expect(counts.count == 24, "\(counts.count) of 24 orders seen")
        let expected = Double(epochs) / 24
        let chiSquared = counts.values.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
            + Double(24 - counts.count) * expected
        #expect(chiSquared < 60, "χ² = \(chiSquared)")
    }
}
