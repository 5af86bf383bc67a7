/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy
/// as 1, 2, 3" (SC'11), also used by JAX, cuRAND and PyTorch's CUDA backend.
///
/// Every random number in Spindle is `Philox.block(counter, key)` for a counter built from what the
/// number is *for* — (purpose, layer, epoch/step, row, unit) — and a key from the seed. No state is
/// shared or advanced, so the result cannot depend on which thread asked or in what order
/// (DESIGN.md contract 1).
public enum Philox {
    public typealias Counter = (UInt32, UInt32, UInt32, UInt32)

    /// Four independent uniformly distributed 32-bit words for (counter, key).
    @inline(__always)
    public static func block(_ counter: Counter, key: UInt64) -> Counter {
        var (c0, c1, c2, c3) = counter
        var k0 = UInt32(truncatingIfNeeded: key)
        var k1 = UInt32(truncatingIfNeeded: key >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// Word `lane` (0–3) of a block.
    @inline(__always)
    public static func word(_ block: Counter, _ lane: Int) -> UInt32 {
        switch lane {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }

    /// A Float uniformly distributed in [0, 1) from the top 24 bits of a random word.
    @inline(__always)
    public static func unitFloat(_ word: UInt32) -> Float {
        Float(word >> 8) * (1.0 / 16_777_216.0)
    }
}

/// What a random number is used for; part of every counter so that streams never overlap.
public enum RandomPurpose: UInt32, Sendable {
    case initialization = 1
    case shuffle = 2
    case dropout = 3
    case validationSplit = 4
    case synthetic = 5
    /// The order of a streamed split's blocks in an epoch.
    case blockShuffle = 6
    /// The order of the rows inside one shuffle window of a streamed split.
    case windowShuffle = 7
    /// Biases of layers initialised as PyTorch does (`--init torch`).
    case biasInitialization = 8
}
