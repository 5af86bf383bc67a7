import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): test data from a generator that shares nothing with
/// the Philox code under test, so a Philox bug cannot hide itself in the inputs.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Float {
        Float(low + (high - low) * unit())
    }

    /// Standard normal (Box–Muller); `1 - unit()` keeps the logarithm's argument positive.
    public mutating func normal() -> Float {
        let radius = (-2 * Foundation.log(1 - unit())).squareRoot()
        return Float(radius * Foundation.cos(2 * Double.pi * unit()))
    }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    public mutating func floats(_ count: Int, _ low: Double = -1, _ high: Double = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }

    public mutating func normals(_ count: Int) -> [Float] { (0..<count).map { _ in normal() } }
}
