import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// `spindle synth` writes a dataset that `spindle train` can learn, and rejects bad flags.
@Suite struct SynthTests {
    @Test func synthesizedDataIsLearnable() throws {
        let scratch = try TemporaryDirectory()
        try spindleSucceeds(["synth", "--rows", "3000", "--features", "16", "--classes", "4", "--seed", "5",
                             "--chunk-rows", "700", "-o", "synth.h5"], in: scratch)
        let file = try H5File.open(scratch.path("synth.h5"))
        #expect(try file.openDataset("train/x").shape == [3000, 16])
        #expect(try file.openDataset("test/y").shape == [300])
        let train = try spindleSucceeds(["train", "synth.h5", "--json", "--layers", "32", "--epochs", "3", "--lr", "0.01"], in: scratch)
        let summary = try jsonObject(train.stdoutLines.last ?? "")
        let accuracy = try #require(summary["test_accuracy"] as? Double)
        #expect(accuracy > 0.6, "chance is 0.25: \(summary)")
    }

    @Test func badFlagsGiveOneLineErrors() throws {
        let scratch = try TemporaryDirectory()
        for (flag, value) in [("--rows", "0"), ("--features", "-3"), ("--classes", "1"), ("--chunk-rows", "0"),
                              ("--test-rows", "0"), ("--dtype", "float64"), ("--rows", "many"), ("--gzip", "0"),
                              ("--gzip", "10")] {
            var arguments = ["synth", "--rows", "100", "--features", "4", "--classes", "3", "-o", "x.h5"]
            if let i = arguments.firstIndex(of: flag) { arguments[i + 1] = value } else { arguments += [flag, value] }
            let result = try spindle(arguments, in: scratch)
            #expect(result.status != 0, "\(flag) \(value): \(result.transcript)")
            let errors = result.stderrLines.filter { $0.hasPrefix("Error:") || $0.hasPrefix("spindle:") }
            #expect(errors.count == 1 && errors[0].contains(flag), "\(flag) \(value): \(result.transcript)")
            #expect(!scratch.exists("x.h5"))
        }
    }
}

extension SynthTests {
    @Test func gzipCompressesTheFeaturesAndStreamsTheSame() throws {
        let scratch = try TemporaryDirectory()
        for (name, extra) in [("plain.h5", [String]()), ("gzip.h5", ["--gzip", "1"])] {
            try spindleSucceeds(["synth", "--rows", "4000", "--features", "64", "--classes", "3", "--chunk-rows", "128",
                                 "-o", name] + extra, in: scratch)
        }
        #expect(try H5File.open(scratch.path("gzip.h5")).openDataset("train/x").filters == ["deflate"])
        #expect(try H5File.open(scratch.path("plain.h5")).openDataset("train/x").filters.isEmpty)
        // Same values, so the same model, whether streamed from compressed chunks or not.
        var models: [[String: [UInt32]]] = []
        for name in ["plain.h5", "gzip.h5"] {
            let run = try spindleSucceeds(["train", name, "--quiet", "--layers", "16", "--epochs", "1",
                                           "--memory-budget", "600K", "--checkpoint-dir", name + ".model"], in: scratch)
            models.append(try floatDatasets(in: scratch.path(name + ".model/model.h5")))
            // Random normal floats barely compress: the user is told to store them plainly.
            #expect(run.stderr.contains("gzip.h5:/train/x is gzip-compressed to 9") == (name == "gzip.h5"),
                    "\(run.transcript)")
        }
        #expect(models[0] == models[1])
    }

    @Test func missingDirectoryIsOneRuntimeLine() throws {
        let scratch = try TemporaryDirectory()
        let result = try spindle(["synth", "--rows", "10", "--features", "2", "--classes", "2", "-o", "nowhere/x.h5"],
                                 in: scratch)
        #expect(result.status == 1 && result.stderrLines.count == 1 && result.stderrLines[0].hasPrefix("spindle: "),
                "\(result.transcript)")
    }
}
