import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// `spindle train` on a training split larger than --memory-budget: streamed through shuffle
/// windows, learning as well, resuming exactly, and saying what it does.
@Suite struct StreamingTests {
    /// 20,000 rows of 64 float32 features (5.1 MB), in chunks of 128 rows.
    static func makeData(_ scratch: TemporaryDirectory, chunkRows: Int = 128, rows: Int = 20000, features: Int = 64) throws {
        try spindleSucceeds(["synth", "--rows", "\(rows)", "--features", "\(features)", "--classes", "4",
                             "--chunk-rows", "\(chunkRows)", "--test-rows", "2000", "-o", "data.h5"], in: scratch)
    }

    static let streaming = ["--memory-budget", "3M", "--prefetch", "1"]
    static let quick = ["--layers", "32", "--batch-size", "100", "--seed", "3"]

    @Test func aSplitOverTheBudgetIsStreamedAndLearns() throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch)
        let run = try spindleSucceeds(["train", "data.h5", "--epochs", "2"] + Self.quick + Self.streaming, in: scratch)
        #expect(run.stderr.contains("streaming data.h5:/train (5.0 MiB > --memory-budget 3 MiB): " +
                                    "blocks of 256 rows"), "\(run.transcript)")
        let accuracy = try #require(run.stdoutLines.last { $0.hasPrefix("test accuracy") }, "\(run.transcript)")
        let value = try #require(Double(accuracy.split(separator: " ")[2]))
        #expect(value > 0.6, "\(accuracy)")  // 4 classes: chance is 0.25

        let json = try spindleSucceeds(["train", "data.h5", "--epochs", "1", "--json"] + Self.quick + Self.streaming,
                                       in: scratch)
        let summary = try jsonObject(json.stdoutLines.last ?? "")
        let fraction = try #require(summary["data_wait_fraction"] as? Double)
        #expect(fraction >= 0 && fraction < 0.5)
        let timings = try #require(summary["timings"] as? [String: Any])
        #expect((timings["dataWait"] as? Double).map { $0 >= 0 } == true)
    }

    @Test func aStreamedRunResumesWithTheSameBits() throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch)
        let run = ["train", "data.h5", "--epochs", "2", "--quiet", "--dropout", "0.1"] + Self.quick + Self.streaming
        try spindleSucceeds(run + ["--checkpoint-dir", "straight"], in: scratch)
        // Stopped mid-epoch (200 steps an epoch), then resumed with a budget that would hold the
        // split in memory: the checkpoint's stream layout still decides the order.
        try spindleSucceeds(run + ["--checkpoint-dir", "resumed", "--max-steps", "290"], in: scratch)
        let resumed = ["train", "data.h5", "--epochs", "2", "--quiet", "--dropout", "0.1"] + Self.quick
            + ["--memory-budget", "1G", "--checkpoint-dir", "resumed", "--resume"]
        let result = try spindleSucceeds(resumed, in: scratch)
        #expect(result.stderr.contains("resuming from") && result.stderr.contains("at step 290"), "\(result.transcript)")
        let expected = try floatDatasets(in: scratch.path("straight/model.h5"))
        #expect(!expected.isEmpty)
        #expect(try floatDatasets(in: scratch.path("resumed/model.h5")) == expected)
    }

    /// `spindle scale` measures a split over the budget as train reads it: streamed, with the
    /// wait for data and the loader's work in its timings.
    @Test func scaleMeasuresStreamedData() throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch)
        let run = try spindleSucceeds(["scale", "data.h5", "--workers", "1,2", "--steps", "30", "--repeats", "1",
                                       "--layers", "32", "--batch-size", "100", "--memory-budget", "3M", "--json"],
                                      in: scratch)
        let report = try jsonObject(run.stdoutLines.last ?? "")
        let environment = try #require(report["environment"] as? [String: Any])
        #expect(environment["data"] as? String == "data.h5:/train (streamed)", "\(environment)")
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows {
            let timings = try #require(row["timings"] as? [String: Any])
            #expect((timings["data_wait"] as? Double).map { $0 >= 0 } == true, "\(timings)")
            #expect(timings["loader_work"] as? Double == 0, "uncompressed: nothing to inflate")
        }
    }

    @Test func oneRowChunksStillTrainWithAWarning() throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch, chunkRows: 1, rows: 5000, features: 32)
        let run = try spindleSucceeds(["train", "data.h5", "--epochs", "1", "--memory-budget", "300K"] + Self.quick,
                                      in: scratch)
        #expect(run.stderr.contains("spindle: warning: data.h5:/train/x is stored in chunks of 1 row(s)"),
                "\(run.transcript)")
        #expect(run.stderr.contains("h5repack -l /train/x:CHUNK=1024x32"), "\(run.transcript)")
        #expect(run.stdoutLines.contains { $0.hasPrefix("test accuracy") }, "\(run.transcript)")
    }

    @Test func standardisationIsSavedAndUsedByEval() throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch, rows: 3000)
        let train = try spindleSucceeds(["train", "data.h5", "--epochs", "1", "--standardize", "--json",
                                         "--checkpoint-dir", "m"] + Self.quick, in: scratch)
        let trained = try #require(try jsonObject(train.stdoutLines.last ?? "")["test_accuracy"] as? Double)
        let eval = try spindleSucceeds(["eval", "m/model.h5", "data.h5", "--json"], in: scratch)
        #expect(try jsonObject(eval.stdoutLines.last ?? "")["accuracy"] as? Double == trained)
        let file = try H5File.open(scratch.path("m/model.h5"))
        #expect(try file.openDataset("/model/standardize/mean").shape == [64])
        #expect(try file.openDataset("/model/standardize/std").shape == [64])
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var status: Int32
        var mentions: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        BadCase(arguments: ["--memory-budget", "12Q"], status: 64,
                mentions: ["invalid --memory-budget '12Q'", "expected a size such as 512M"]),
        BadCase(arguments: ["--memory-budget", "-1G"], status: 64, mentions: ["invalid --memory-budget '-1G'"]),
        BadCase(arguments: ["--prefetch", "0"], status: 64, mentions: ["invalid --prefetch '0'", "at least 1"]),
        BadCase(arguments: ["--shuffle-window", "0"], status: 64, mentions: ["invalid --shuffle-window '0'"]),
        BadCase(arguments: ["--memory-budget", "20K"], status: 1,
                mentions: ["invalid --memory-budget '20 KiB'", "expected at least", "to stream", "data.h5:/train"]),
    ])
    func badStreamingSettingsAreRefused(_ bad: BadCase) throws {
        let scratch = try TemporaryDirectory()
        try Self.makeData(scratch, rows: 3000)
        let before = scratch.snapshot()
        let result = try spindle(["train", "data.h5", "--checkpoint-dir", "out"] + bad.arguments, in: scratch)
        #expect(result.status == bad.status, "\(result.transcript)")
        for text in bad.mentions { #expect(result.stderr.contains(text), "\(result.transcript)") }
        #expect(scratch.snapshot() == before, "nothing written")
    }
}
