/// The order in which an epoch visits a split's rows: a pure function of (seed, epoch).
public enum Shuffle {
    /// A uniformly random permutation of 0..<count (Fisher–Yates), drawn from Philox with counter
    /// (i, substream or i >> 32, purpose, epoch) for the swap at position i.
    /// - Parameter substream: told apart from other permutations of the same (seed, purpose,
    ///   epoch), e.g. the shuffle window's number; it takes the counter's high word, so a permutation
    ///   with a substream is limited to 2³² elements.
    public static func permutation(count: Int, seed: UInt64, epoch: Int,
                                   purpose: RandomPurpose = .shuffle, substream: UInt32? = nil) -> [Int] {
        precondition(substream == nil || count <= 1 << 32, "a permutation with a substream has at most 2^32 elements")
        var order = Array(0..<count)
        guard count > 1 else { return order }
        let stream = purpose.rawValue << 16
        for i in stride(from: count - 1, to: 0, by: -1) {
            let block = Philox.block((UInt32(truncatingIfNeeded: i), substream ?? UInt32(truncatingIfNeeded: i >> 32),
                                      stream, UInt32(truncatingIfNeeded: epoch)), key: seed)
            let random = UInt64(block.0) << 32 | UInt64(block.1)
            // Lemire's multiply-shift maps 64 random bits onto 0...i with negligible bias.
            let j = Int(random.multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
        }
        return order
    }
}
