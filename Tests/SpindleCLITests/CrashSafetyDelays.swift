import Foundation
import SpindleTestSupport

/// The random instants at which CrashSafetyTests signal a run, drawn from a seeded generator so
/// that a failure can be replayed. Each test prints its seed and every delay it draws, and its
/// failure messages name them (`description`). `SPINDLE_CRASH_SEED=<seed> swift test --filter
/// CrashSafetyTests` replays the same draws: the same fractions of the run, since each delay
/// scales with how long the uninterrupted reference run took on this machine.
struct Delays: CustomStringConvertible {
    static let environmentKey = "SPINDLE_CRASH_SEED"

    let test: String
    let seed: UInt64
    private var random: SplitMix64
    /// Microseconds, in the order drawn.
    private(set) var drawn: [UInt32] = []

    init(_ test: String) {
        let given = ProcessInfo.processInfo.environment[Self.environmentKey].flatMap { UInt64($0) }
        self.test = test
        seed = given ?? UInt64.random(in: 0...UInt64.max)
        random = SplitMix64(seed: seed)
        print("CrashSafetyTests (\(test)): seed \(seed)" +
              (given == nil ? "; replay with \(Self.environmentKey)=\(seed)" : ", from \(Self.environmentKey)"))
    }

    /// A delay in microseconds, uniform in [0, `fraction` of a run of `seconds`] (at least 50 ms).
    mutating func next(_ fraction: Double, of seconds: Double) -> UInt32 {
        let limit = max(0.05, fraction * seconds) * 1_000_000
        let delay = UInt32(random.unit() * limit)
        drawn.append(delay)
        print("CrashSafetyTests (\(test)): delay \(drawn.count) is \(delay) µs (up to \(Int(limit)) µs)")
        return delay
    }

    var description: String { "\(Self.environmentKey)=\(seed), delays \(drawn) µs" }
}
