import Foundation
import Spindle
import Testing

/// One memory budget covers every split (DESIGN.md "The training run"): the training split
/// first, whole or as a ring of shuffle windows, then validation and test, each whole when it
/// fits what is left, else read a window at a time through what is left. Sizes: `RunFixture`.
@Suite struct DataPlacementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var budget: Int
        var shuffleWindow: Int? = nil
        var validationFraction = 0.0
        var train: String
        var validation: String? = nil
        var test: String
        var testDescription: String { "budget \(budget), window \(shuffleWindow ?? 0), val \(validationFraction)" }
    }

    static func kind(_ residence: DataPlacement.Residence?) -> String? {
        switch residence {
        case .inMemory?: return "whole"
        case .streamed?: return "streamed"
        case nil: return nil
        }
    }

    @Test(arguments: [
        // Everything fits.
        Case(budget: 1 << 20, train: "whole", test: "whole"),
        // Train whole (204,000 + one test block kept free, 4,864); 26,000 left < the test's 40,800.
        Case(budget: 230_000, train: "whole", test: "streamed"),
        // Train streamed, its ring taking nearly all: the test split is read in windows.
        Case(budget: 100_000, train: "streamed", test: "streamed"),
        // Train streamed through small windows (3 × 128 rows): the test split fits what is left.
        Case(budget: 200_000, shuffleWindow: 128, train: "streamed", test: "whole"),
        // Held-out blocks of a streamed split are read in windows too.
        Case(budget: 100_000, validationFraction: 0.2, train: "streamed", validation: "streamed", test: "streamed"),
        // Held-out rows of a split in memory are part of it.
        Case(budget: 1 << 20, validationFraction: 0.2, train: "whole", validation: "whole", test: "whole"),
    ])
    func everySplitIsPlacedUnderTheOneBudget(_ c: Case) throws {
        let fixture = try RunFixture()
        var source = fixture.source(budget: c.budget)
        source.shuffleWindowRows = c.shuffleWindow
        source.validationFraction = c.validationFraction
        let data = try RunData(source, seed: 1, batchSize: 50)
        let placement = data.placement
        #expect(Self.kind(placement[.train]?.residence) == c.train)
        #expect(Self.kind(placement[.validation]?.residence) == c.validation)
        #expect(Self.kind(placement[.test]?.residence) == c.test)
        #expect(placement.peakBytes <= c.budget, "\(placement.entries)")
        #expect(placement[.test]?.rows == 600)
        #expect((data.stream == nil) == (c.train == "whole"))
        // What was placed is what the run reads.
        #expect((data.test is DatasetSplit) == (c.test == "whole"))
        if let validation = placement[.validation] {
            #expect(validation.rows + data.train.rows == 3000, "held out of the training rows")
        }
    }

    /// The bug this placement fixes: a streamed run's test split was loaded whole beside the
    /// ring, outside the budget (742 MB resident at --memory-budget 400M on 8 GiB). The same
    /// shape in small: a ring filling the budget, a test split that would take 40 % of it.
    @Test func theTestSplitNoLongerTakesMemoryBesideTheRing() throws {
        let fixture = try RunFixture()
        let data = try RunData(fixture.source(budget: 100_000), seed: 1, batchSize: 50)
        let ring = try #require(data.placement[.train]?.residence.bytes)
        let test = try #require(data.placement[.test])
        #expect(ring > 80_000, "the ring takes most of the budget: \(ring)")
        #expect(test.wholeBytes == 40_800)
        #expect(test.residence.bytes <= 100_000 - ring, "read through what the ring left")
        #expect(test.residence.bytes >= 64 * 76, "at least one block of 64 rows")
    }

    /// A split read in windows gives the same evaluation as the split loaded whole.
    @Test func aStreamedTestSplitEvaluatesAsWhenLoadedWhole() throws {
        let fixture = try RunFixture()
        let whole = try TrainingRun(fixture.setup(budget: 1 << 20))
        let streamed = try TrainingRun(fixture.setup(budget: 230_000))
        #expect(whole.data.test is DatasetSplit && !(streamed.data.test is DatasetSplit))
        let wholeTest = try #require(whole.data.test), streamedTest = try #require(streamed.data.test)
        let a = try whole.trainer.evaluate(rows: wholeTest)
        let b = try streamed.trainer.evaluate(rows: streamedTest)
        #expect(a.accuracy == b.accuracy && a.rows == b.rows)
        // Chunks of other sizes cut the GEMMs elsewhere, which may move the last bits of a logit.
        #expect(abs(a.loss - b.loss) <= 1e-5 * abs(a.loss))
    }

    @Test func aBudgetTooSmallForTheRingAndOneReadWindowIsRefused() throws {
        let fixture = try RunFixture()
        #expect {
            try RunData(fixture.source(budget: 20_000), seed: 1, batchSize: 50)
        } throws: { error in
            guard case let .invalidConfig(setting, _, expected) = error as? SpindleError else { return false }
            return setting == "memory-budget" && expected.contains("to read the evaluation splits through")
        }
    }
}
