import Foundation
import Spindle
import Testing

/// Amdahl's law and its least-squares fit: speedups made from a known serial fraction must give
/// it back, whatever the base worker count, and the fit must refuse what it cannot fit.
struct AmdahlTests {
    /// S(W) = 1 / (f + (1 − f)/W), written out here rather than taken from the code under test.
    static func speedup(_ w: Int, _ f: Double) -> Double { 1 / (f + (1 - f) / Double(w)) }

    @Test(arguments: [0.05, 0.2])
    func fitRecoversSerialFraction(_ f: Double) throws {
        let workers = [1, 2, 4, 8, 16]
        let fitted = try #require(Amdahl.serialFraction(workers: workers, speedups: workers.map { Self.speedup($0, f) }))
        // Exact data: only rounding separates the fit from f.
        #expect(abs(fitted - f) < 1e-12, "fitted \(fitted), made with \(f)")
        for w in workers {
            #expect(abs(Amdahl.speedup(workers: w, serialFraction: f) - Self.speedup(w, f)) < 1e-12)
        }
    }

    /// Speedups measured against 2 workers (S(W)/S(2)) still give f of a one-worker step.
    @Test(arguments: [0.05, 0.2])
    func fitRecoversSerialFractionFromAnotherBase(_ f: Double) throws {
        let workers = [2, 4, 6, 8]
        let speedups = workers.map { Self.speedup($0, f) / Self.speedup(2, f) }
        let fitted = try #require(Amdahl.serialFraction(workers: workers, speedups: speedups, baseWorkers: 2))
        #expect(abs(fitted - f) < 1e-12, "fitted \(fitted), made with \(f)")
        #expect(abs(Amdahl.speedup(workers: 8, serialFraction: f, baseWorkers: 2) - speedups[3]) < 1e-12)
    }

    /// Noisy speedups (±3 %, alternating) still land near f: the fit averages, not interpolates.
    @Test func fitToleratesNoise() throws {
        let workers = [1, 2, 3, 4, 6, 8, 12, 16], f = 0.1
        let speedups = workers.enumerated().map { i, w in Self.speedup(w, f) * (i.isMultiple(of: 2) ? 1.03 : 0.97) }
        let fitted = try #require(Amdahl.serialFraction(workers: workers, speedups: speedups))
        #expect(abs(fitted - f) < 0.02, "fitted \(fitted), made with \(f)")
    }

    @Test func fitIsClampedToZeroAndOne() throws {
        // Superlinear speedups (caches) would need f < 0; a slowdown would need f > 1.
        #expect(Amdahl.serialFraction(workers: [1, 2, 4], speedups: [1, 2.2, 4.8]) == 0)
        #expect(Amdahl.serialFraction(workers: [1, 2, 4], speedups: [1, 0.8, 0.6]) == 1)
    }

    @Test func fitNeedsTwoDistinctCounts() {
        #expect(Amdahl.serialFraction(workers: [], speedups: []) == nil)
        #expect(Amdahl.serialFraction(workers: [1], speedups: [1]) == nil)
        #expect(Amdahl.serialFraction(workers: [4, 4, 4], speedups: [1, 1.1, 0.9], baseWorkers: 4) == nil)
    }
}
