import Foundation
import SpindleTestSupport
import Testing

/// What `spindle train` gets from the library's `TrainingRun`, seen from the command line: one
/// line naming every setting a resume would change, and validation and test splits placed under
/// the one memory budget.
@Suite struct TrainingRunTests {
    /// 1,000 train rows (8 steps an epoch at batch 128) and 200 test rows of 8 features.
    static func makeData(_ scratch: TemporaryDirectory) throws {
        try spindleSucceeds(["synth", "--rows", "1000", "--features", "8", "--classes", "3", "--test-rows", "200",
                             "-o", "data.h5"], in: scratch)
    }

    @Test func aResumeWithOtherSettingsNamesEachOneAndTouchesNothing() throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch)
        try spindleSucceeds(["train", "data.h5", "--quiet", "--layers", "8", "--epochs", "1", "--checkpoint-dir", "run"],
                            in: scratch)
        let before = scratch.snapshot()
        let result = try spindle(["train", "data.h5", "--layers", "8", "--epochs", "2", "--batch-size", "64",
                                  "--seed", "5", "--checkpoint-dir", "run", "--resume", "--log", "run.jsonl"],
                                 in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderrLines == [
            "spindle: run/ckpt-000000008.h5: was trained with other settings: batchSize 128 → 64; seed 0 → 5; " +
            "resume with the same settings (only --epochs, --max-steps and --workers may change)",
        ], "\(result.transcript)")
        #expect(scratch.snapshot() == before, "no checkpoint touched, no log created")
    }

    /// A gzip test split that does not fit what the training split left of the budget is read a
    /// window at a time, and scores as when loaded whole. (Such reads used to skip inflating
    /// the chunks and scored chance.)
    @Test func aTestSplitOverWhatIsLeftScoresAsWhenLoadedWhole() throws {
        let scratch = try TemporaryDirectory()
        // Train 780,000 bytes whole, test 260,000; 128-row chunks, so blocks of 128 rows.
        try spindleSucceeds(["synth", "--rows", "3000", "--features", "64", "--classes", "4", "--test-rows", "1000",
                             "--chunk-rows", "128", "--gzip", "1", "-o", "data.h5"], in: scratch)
        func accuracy(_ budget: String) throws -> Double {
            let run = try spindleSucceeds(["train", "data.h5", "--layers", "16", "--epochs", "10", "--lr", "0.01", "--json",
                                           "--memory-budget", budget], in: scratch)
            return try #require(try jsonObject(run.stdoutLines.last ?? "")["test_accuracy"] as? Double)
        }
        let whole = try accuracy("1G"), windowed = try accuracy("900K")
        #expect(whole > 0.6, "4 classes: chance is 0.25")
        #expect(abs(whole - windowed) <= 0.002, "loaded whole \(whole), read in windows \(windowed)")
    }
}
