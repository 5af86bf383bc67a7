import Foundation
import SpindleTestSupport
import Testing

/// `spindle train --drop-last`: whole batches only (as PyTorch's `DataLoader(drop_last=True)`),
/// from the flag or a --config file, streamed or in memory, resumed exactly; the mistakes it
/// brings refused in one line.
@Suite struct DropLastCLITests {
    /// 120 training rows: batches of 50 are 2 whole ones and 20 rows.
    static func data(_ scratch: TemporaryDirectory) throws {
        try SyntheticData().write(to: scratch.path("data.h5"))
    }

    static let run = ["train", "data.h5", "--layers", "8", "--batch-size", "50", "--epochs", "2", "--seed", "3"]

    @Test func theFlagAndTheConfigKeyTrainWholeBatchesOnly() throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let keeping = try jsonObject(try spindleSucceeds(Self.run + ["--json"], in: scratch).stdoutLines.last ?? "")
        #expect(keeping["steps"] as? Int == 6)
        let flag = try spindleSucceeds(Self.run + ["--drop-last", "--checkpoint-dir", "flag"], in: scratch)
        #expect(flag.stderr.contains("batch 50, 2 steps an epoch (--drop-last: 20 rows left out), 4 steps, "),
                "\(flag.transcript)")
        let summary = try jsonObject(try spindleSucceeds(Self.run + ["--drop-last", "--json"], in: scratch)
            .stdoutLines.last ?? "")
        #expect(summary["steps"] as? Int == 4)

        try Data(#"{"drop-last": true}"#.utf8).write(to: scratch.url.appendingPathComponent("run.json"))
        try spindleSucceeds(Self.run + ["--config", "run.json", "--quiet", "--checkpoint-dir", "config"], in: scratch)
        let expected = try floatDatasets(in: scratch.path("flag/model.h5"))
        #expect(!expected.isEmpty)
        #expect(try floatDatasets(in: scratch.path("config/model.h5")) == expected, "the config key is the flag")
    }

    static let zeroSteps = "spindle: invalid --batch-size '121': expected at most the 120 training rows of " +
        "data.h5:/train with --drop-last, which drops the partial batch and would leave 0 steps an epoch " +
        "(lower --batch-size, or leave out --drop-last)"
    static let lastRow = "spindle: invalid --model 'batchnorm': expected training batches of at least 2 rows, but " +
        "the last batch of each epoch (120 rows, --batch-size 119) has 1 row; a batch's variance needs two " +
        "(change --batch-size, add --drop-last to skip that batch, or use layernorm)"

    /// Exit 1, the one line, nothing written.
    @Test(arguments: [(["--batch-size", "121", "--drop-last"], zeroSteps),
                      (["--model", "dense(8),batchnorm,relu", "--batch-size", "119"], lastRow)])
    func aMistakeIsOneLine(arguments: [String], line: String) throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let before = scratch.snapshot()
        let result = try spindle(["train", "data.h5", "--checkpoint-dir", "m"] + arguments, in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderrLines == [line], "\(result.transcript)")
        #expect(scratch.snapshot() == before)
    }

    /// The run the batchnorm refusal points to: its last batch of 1 row is dropped.
    @Test func batchNormWithALastBatchOfOneRowTrainsWithDropLast() throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let result = try spindleSucceeds(["train", "data.h5", "--model", "dense(8),batchnorm,relu", "--batch-size", "119",
                                          "--drop-last", "--epochs", "2", "--json"], in: scratch)
        let summary = try jsonObject(result.stdoutLines.last ?? "")
        #expect(summary["steps"] as? Int == 2)
        #expect((summary["test_accuracy"] as? Double)?.isFinite == true)
    }

    /// Spindle 0.1.0's checkpoint (written before the setting) resumed with it: refused, by name.
    @Test func anOldCheckpointResumedWithDropLastIsRefused() throws {
        let scratch = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("run"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: ModelFormatV1Tests.fixture("ckpt-000000090.h5"),
                                         toPath: scratch.path("run/ckpt-000000090.h5"))
        let result = try spindle(["train", "--quiet"] + ModelFormatV1Tests.run +
                                 ["--checkpoint-dir", "run", "--resume", "--drop-last"], in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderrLines == ["spindle: run/ckpt-000000090.h5: was trained with other settings: " +
                                       "dropLast false → true; resume with the same settings (only --epochs, " +
                                       "--max-steps and --workers may change)"], "\(result.transcript)")
    }

    /// Streamed under --memory-budget (20,000 rows in batches of 128: 156 whole, 32 dropped),
    /// stopped mid-epoch, resumed on another worker count: the bits of the run straight through.
    @Test func aStreamedRunResumesWithTheSameBits() throws {
        let scratch = try TemporaryDirectory()
        try StreamingTests.makeData(scratch)
        let run = ["train", "data.h5", "--epochs", "2", "--quiet", "--drop-last", "--layers", "32", "--batch-size", "128",
                   "--seed", "3", "--dropout", "0.1"] + StreamingTests.streaming
        try spindleSucceeds(run + ["--checkpoint-dir", "straight"], in: scratch)
        try spindleSucceeds(run + ["--checkpoint-dir", "resumed", "--max-steps", "200"], in: scratch)
        let result = try spindleSucceeds(run + ["--checkpoint-dir", "resumed", "--resume", "--workers", "1"], in: scratch)
        #expect(result.stderr.contains("at step 200 (epoch 2, batch 44)"), "\(result.transcript)")
        let expected = try floatDatasets(in: scratch.path("straight/model.h5"))
        #expect(!expected.isEmpty)
        #expect(try floatDatasets(in: scratch.path("resumed/model.h5")) == expected)
        let steps = try python("print(h5py.File(sys.argv[1], 'r').attrs['steps'])", "straight/model.h5", in: scratch)
        #expect(steps.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "312")
    }
}
