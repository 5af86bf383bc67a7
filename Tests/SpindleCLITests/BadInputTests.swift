import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// DESIGN.md contract 5: every user mistake exits non-zero with one line naming the file, dataset
/// or flag, what was found and what was expected — no stack trace, no file left behind, no
/// existing checkpoint touched.
@Suite struct BadInputTests {
    /// One mistake: how to set the scene, the command, and what its one-line message must say.
    struct Case: Sendable, CustomTestStringConvertible {
        enum Kind: Sendable {
            /// Caught by the argument parser or a `validate()`: exit 64 (EX_USAGE), "Error: …" and
            /// ArgumentParser's usage hint ("Help:", "Usage:", "See '… --help'").
            case usage
            /// Caught while running: exit 1 and exactly one line, "spindle: …".
            case runtime
        }

        var testDescription: String
        var kind: Kind
        var arguments: [String]
        /// Substrings of the message: the file, dataset or flag; what was found; what was expected.
        var mentions: [String]
        var prepare: @Sendable (TemporaryDirectory) throws -> Void = { _ in }
        /// The whole message line, where it is the contract being tested (a refusal at the
        /// library's boundary): compared exactly, beyond `mentions`.
        var line: String? = nil
        /// What else must hold afterwards (e.g. what the run did write is sound).
        var afterwards: @Sendable (TemporaryDirectory) throws -> Void = { _ in }
    }

    /// data.h5: 120 train / 30 test rows, 6 features, 3 classes; ckpt/model.h5: an existing
    /// checkpoint that no failed run may touch.
    static func goodData(_ change: @escaping @Sendable (inout SyntheticData) -> Void = { _ in })
        -> @Sendable (TemporaryDirectory) throws -> Void {
        { scratch in
            var data = SyntheticData()
            change(&data)
            try data.write(to: scratch.path("data.h5"))
            try FileManager.default.createDirectory(atPath: scratch.path("ckpt"), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: scratch.path("ckpt/model.h5"), contents: Data("earlier weights".utf8))
        }
    }

    /// goodData plus model.h5, a model trained on it.
    static func trainedModel(then more: @escaping @Sendable (TemporaryDirectory) throws -> Void = { _ in })
        -> @Sendable (TemporaryDirectory) throws -> Void {
        { scratch in
            try goodData()(scratch)
            try spindleSucceeds(["train", "data.h5", "--quiet", "--layers", "8", "--epochs", "1",
                                 "--checkpoint-dir", "."], in: scratch)
            try more(scratch)
        }
    }

    /// `spindle train FILE` with quick settings, the existing checkpoint directory, then `flags`.
    static func train(_ file: String = "data.h5", _ flags: String...) -> [String] {
        ["train", file, "--layers", "8", "--epochs", "1", "--max-steps", "5", "--checkpoint-dir", "ckpt"] + flags
    }

    static let cases: [Case] = [
        // Files and datasets.
        Case(testDescription: "missing file", kind: .runtime, arguments: train("nope.h5"),
             mentions: ["nope.h5", "no such file"], prepare: goodData()),
        Case(testDescription: "text file, not HDF5", kind: .runtime, arguments: train("notes.h5"),
             mentions: ["notes.h5", "not an HDF5 file"], prepare: { scratch in
                 try goodData()(scratch)
                 try "x,y\n1,2\n".write(toFile: scratch.path("notes.h5"), atomically: true, encoding: .utf8)
             }),
        Case(testDescription: "missing dataset path", kind: .runtime, arguments: train("data.h5", "--train-x", "/nope"),
             mentions: ["data.h5", "'/nope'", "/train/x"], prepare: goodData()),
        Case(testDescription: "5-D x", kind: .runtime, arguments: train("cube.h5"),
             mentions: ["cube.h5:/train/x", "[40, 1, 2, 3, 1]", "expected 2 dimensions", "[rows, C, H, W]"], prepare: { scratch in
                 try goodData()(scratch)
                 try python("""
                     with h5py.File("cube.h5", "w") as f:
                         f["train/x"] = np.zeros((40, 1, 2, 3, 1), dtype=np.float32)
                         f["train/y"] = np.arange(40, dtype=np.int64) % 3
                     """, in: scratch)
             }),
        Case(testDescription: "y shorter than x", kind: .runtime, arguments: train(),
             mentions: ["data.h5:/train/y", "110 rows", "x has 120"],
             prepare: goodData { $0.trainY.removeLast(10) }),
        Case(testDescription: "negative label", kind: .runtime, arguments: train(),
             mentions: ["data.h5:/train/y", "label -1", "row 5", "expected"],
             prepare: goodData { $0.trainY[5] = -1 }),
        Case(testDescription: "NaN feature", kind: .runtime, arguments: train(),
             mentions: ["data.h5:/train/x", "row 3, column 2", "nan", "expected finite"],
             prepare: goodData { $0.trainX[3 * 6 + 2] = .nan }),
        Case(testDescription: "Inf feature", kind: .runtime, arguments: train(),
             mentions: ["data.h5:/train/x", "row 7, column 1", "inf", "expected finite"],
             prepare: goodData { $0.trainX[7 * 6 + 1] = .infinity }),
        Case(testDescription: "zero rows", kind: .runtime, arguments: train(),
             mentions: ["data.h5:/train/x", "0 rows"],
             prepare: goodData { $0.trainX = []; $0.trainY = [] }),

        // Flags.
        Case(testDescription: "--layers 512,,256", kind: .usage, arguments: train("data.h5", "--layers", "512,,256"),
             mentions: ["--layers", "'512,,256'", "expected positive integers"], prepare: goodData()),
        Case(testDescription: "--layers abc", kind: .usage, arguments: train("data.h5", "--layers", "abc"),
             mentions: ["--layers", "'abc'", "expected positive integers"], prepare: goodData()),
        Case(testDescription: "--layers 0", kind: .usage, arguments: train("data.h5", "--layers", "0"),
             mentions: ["--layers", "'0'", "expected positive integers"], prepare: goodData()),
        Case(testDescription: "--layers=-3", kind: .usage, arguments: train("data.h5", "--layers=-3"),
             mentions: ["--layers", "'-3'", "expected positive integers"], prepare: goodData()),
        Case(testDescription: "--layers -3", kind: .usage, arguments: train("data.h5", "--layers", "-3"),
             mentions: ["--layers", "-3", "expected"], prepare: goodData()),
        Case(testDescription: "--batch-size 0", kind: .usage, arguments: train("data.h5", "--batch-size", "0"),
             mentions: ["--batch-size", "'0'", "expected a positive number"], prepare: goodData()),
        Case(testDescription: "--batch-size=-1", kind: .usage, arguments: train("data.h5", "--batch-size=-1"),
             mentions: ["--batch-size", "'-1'", "expected a positive number"], prepare: goodData()),
        Case(testDescription: "--batch-size -1", kind: .usage, arguments: train("data.h5", "--batch-size", "-1"),
             mentions: ["--batch-size", "-1", "expected"], prepare: goodData()),
        Case(testDescription: "--lr 0", kind: .usage, arguments: train("data.h5", "--lr", "0"),
             mentions: ["--lr", "'0.0'", "expected a finite number > 0"], prepare: goodData()),
        Case(testDescription: "--lr=-1", kind: .usage, arguments: train("data.h5", "--lr=-1"),
             mentions: ["--lr", "'-1.0'", "expected a finite number > 0"], prepare: goodData()),
        Case(testDescription: "--lr -1", kind: .usage, arguments: train("data.h5", "--lr", "-1"),
             mentions: ["--lr", "-1", "expected"], prepare: goodData()),
        Case(testDescription: "--lr nan", kind: .usage, arguments: train("data.h5", "--lr", "nan"),
             mentions: ["--lr", "'nan'", "expected a finite number > 0"], prepare: goodData()),
        Case(testDescription: "--activation swish", kind: .usage, arguments: train("data.h5", "--activation", "swish"),
             mentions: ["--activation", "'swish'", "'relu', 'sigmoid', 'tanh', 'gelu' or 'silu'"], prepare: goodData()),
        Case(testDescription: "--loss hinge", kind: .usage, arguments: train("data.h5", "--loss", "hinge"),
             mentions: ["--loss", "'hinge'", "'cross-entropy'", "'mse'"], prepare: goodData()),
        Case(testDescription: "--optimizer rmsprop", kind: .usage, arguments: train("data.h5", "--optimizer", "rmsprop"),
             mentions: ["--optimizer", "'rmsprop'", "'sgd'", "'adamw'"], prepare: goodData()),
        Case(testDescription: "--workers 0", kind: .usage, arguments: train("data.h5", "--workers", "0"),
             mentions: ["--workers", "'0'", "expected a count from 1 to 1024"], prepare: goodData()),
        Case(testDescription: "--workers=-1", kind: .usage, arguments: train("data.h5", "--workers=-1"),
             mentions: ["--workers", "'-1'", "expected a count from 1 to 1024"], prepare: goodData()),
        Case(testDescription: "--workers -1", kind: .usage, arguments: train("data.h5", "--workers", "-1"),
             mentions: ["--workers", "-1", "expected"], prepare: goodData()),
        Case(testDescription: "--workers 100000", kind: .usage, arguments: train("data.h5", "--workers", "100000"),
             mentions: ["--workers", "'100000'", "expected a count from 1 to 1024"], prepare: goodData()),
        Case(testDescription: "--dropout 1.0", kind: .usage, arguments: train("data.h5", "--dropout", "1.0"),
             mentions: ["--dropout", "'1.0'", "expected a probability in [0, 1)"], prepare: goodData()),
        Case(testDescription: "diverging run keeps the earlier checkpoint", kind: .runtime,
             arguments: train("data.h5", "--epochs", "3", "--max-steps", "3", "--optimizer", "sgd", "--lr", "1e30", "--quiet"),
             mentions: ["diverged at step", "no weights were saved", "--lr"], prepare: goodData(),
             line: "spindle: training diverged at step 2: the loss is NaN; no weights were saved " +
                 "(try a lower --lr, --clip-norm, or a different --seed)",
             afterwards: { scratch in
                 // Step 1 ended the epoch (120 rows, one batch) and was saved; its weights, huge
                 // after an update at lr 1e30, must still be numbers.
                 let names = try FileManager.default.contentsOfDirectory(atPath: scratch.path("ckpt"))
                     .filter { $0.hasPrefix("ckpt-") }.sorted()
                 #expect(names == ["ckpt-000000001.h5"], "the checkpoints before the divergence")
                 for name in names {
                     let datasets = try floatDatasets(in: scratch.path("ckpt/" + name))
                     #expect(datasets.count == 4, "\(name): \(datasets.keys.sorted())")
                     for (dataset, bits) in datasets {
                         let bad = bits.filter { !Float(bitPattern: $0).isFinite }.count
                         #expect(bad == 0, "\(name):\(dataset): \(bad) of \(bits.count) values are not finite")
                     }
                 }
             }),
        Case(testDescription: "--checkpoint-dir under a regular file", kind: .runtime,
             arguments: train("data.h5", "--checkpoint-dir", "data.h5/run"),
             mentions: ["data.h5/run", "cannot create", "not a directory"], prepare: goodData()),

        // Models: eval and predict.
        Case(testDescription: "eval: test label ≥ the model's classes", kind: .runtime,
             arguments: ["eval", "model.h5", "wide.h5"],
             mentions: ["wide.h5:/test/y", "label 7", "row 4", "expected 0..<3"],
             prepare: trainedModel { scratch in
                 var data = SyntheticData()
                 data.testY[4] = 7
                 try data.write(to: scratch.path("wide.h5"))
             },
             line: "spindle: wide.h5:/test/y: label 7 at row 4 is out of range: expected 0..<3 (the model has 3 classes)"),
        Case(testDescription: "eval: features the model does not take", kind: .runtime,
             arguments: ["eval", "model.h5", "narrow.h5"],
             mentions: ["narrow.h5:/test/x", "5 features", "expects 6"],
             prepare: trainedModel { try SyntheticData(features: 5).write(to: $0.path("narrow.h5")) },
             line: "spindle: narrow.h5:/test/x: has 5 features, but the model expects 6"),
        Case(testDescription: "predict: features the model does not take", kind: .runtime,
             arguments: ["predict", "model.h5", "narrow.h5", "-o", "out.h5"],
             mentions: ["narrow.h5:/test/x", "5 features", "expects 6"],
             prepare: trainedModel { try SyntheticData(features: 5).write(to: $0.path("narrow.h5")) },
             line: "spindle: narrow.h5:/test/x: has 5 features, but the model expects 6"),
        Case(testDescription: "eval: a dataset file as the model", kind: .runtime, arguments: ["eval", "data.h5", "data.h5"],
             mentions: ["data.h5", "not a Spindle model file", "format = \"spindle-model\""], prepare: goodData()),
        Case(testDescription: "eval: newer format_version", kind: .runtime, arguments: ["eval", "model.h5", "data.h5"],
             mentions: ["model.h5", "format_version 3", "upgrade"],
             prepare: trainedModel { scratch in
                 let file = try H5File.open(scratch.path("model.h5"), mode: .readWrite)
                 try file.setAttribute("format_version", 3)
                 try file.close()
             }),
        Case(testDescription: "eval: corrupted weights", kind: .runtime, arguments: ["eval", "model.h5", "data.h5"],
             mentions: ["model.h5:/model/00_dense/weight", "Fletcher32"],
             prepare: trainedModel { try corruptWeights($0.path("model.h5")) }),
        Case(testDescription: "predict: corrupted weights", kind: .runtime,
             arguments: ["predict", "model.h5", "data.h5", "-o", "out.h5"],
             mentions: ["model.h5:/model/00_dense/weight", "Fletcher32"],
             prepare: trainedModel { try corruptWeights($0.path("model.h5")) }),
        Case(testDescription: "predict: -o into a missing directory", kind: .runtime,
             arguments: ["predict", "model.h5", "data.h5", "-o", "missing/out.h5"],
             mentions: ["missing/out.h5", "does not exist"], prepare: trainedModel()),
        Case(testDescription: "predict: -o names a directory", kind: .runtime,
             arguments: ["predict", "model.h5", "data.h5", "-o", "ckpt"],
             mentions: ["'ckpt'", "is a directory"], prepare: trainedModel()),
    ]

    @Test(arguments: cases + BoundaryCases.cases + BoundaryCases.imageCases)
    func clearErrorNothingLeftBehind(_ bad: Case) throws {
        let scratch = try TemporaryDirectory()
        try bad.prepare(scratch)
        let before = scratch.snapshot()
        let result = try spindle(bad.arguments, in: scratch)
        let lines = result.stderrLines
        let message = lines.first ?? ""

        #expect(result.stdout.isEmpty, "nothing on stdout:\n\(result.transcript)")
        let crashMarks = ["Fatal error", "Stack dump", "Program crashed", "Current stack trace"]
        #expect(!crashMarks.contains { result.stderr.contains($0) }, "no crash:\n\(result.transcript)")
        switch bad.kind {
        case .runtime:
            #expect(result.status == 1, "\(result.transcript)")
            #expect(lines.count == 1 && message.hasPrefix("spindle: "),
                    "one 'spindle: …' line:\n\(result.transcript)")
        case .usage:
            #expect(result.status == 64, "\(result.transcript)")
            #expect(message.hasPrefix("Error: "), "\(result.transcript)")
            // Beyond the message, only ArgumentParser's short usage hint.
            let hintPrefixes = ["Help:  ", "Usage: ", "  See '"]
            let others = lines.dropFirst().filter { line in !hintPrefixes.contains { line.hasPrefix($0) } }
            #expect(others.isEmpty && lines.count <= 4, "one message and the usage hint:\n\(result.transcript)")
        }
        let missing = bad.mentions.filter { !message.lowercased().contains($0.lowercased()) }
        #expect(missing.isEmpty, "the message lacks \(missing): \(message)")
        if let line = bad.line { #expect(message == line, "\(result.transcript)") }
        // A run that failed while training may leave checkpoints of the good steps before the
        // failure (never of non-finite weights); everything that was there stays as it was.
        let after = scratch.snapshot().filter { !$0.key.hasPrefix("ckpt/ckpt-") }
        let addedOrRemoved = Set(after.keys).symmetricDifference(before.keys).sorted()
        let changed = before.keys.filter { after[$0] != nil && after[$0] != before[$0] }.sorted()
        #expect(after == before, "files created or removed: \(addedOrRemoved), changed: \(changed)")
        try bad.afterwards(scratch)
    }

    /// A run that fails on its data leaves no trace: not the checkpoint directory nor the log
    /// file it was asked to create.
    @Test func failedRunCreatesNoCheckpointDirectoryOrLog() throws {
        let scratch = try TemporaryDirectory()
        var data = SyntheticData()
        data.trainX[0] = .nan
        try data.write(to: scratch.path("data.h5"))
        let result = try spindle(["train", "data.h5", "--checkpoint-dir", "runs/first", "--log", "run.jsonl"]
                                 + quickTraining, in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(!scratch.exists("runs"), "a failed run left runs/first/ behind")
        #expect(!scratch.exists("run.jsonl"), "a failed run left an empty run.jsonl behind")
    }

    /// Flips bytes in the middle of /model/00_dense/weight's stored data, found by its values
    /// (the dataset is checksummed but not compressed, so its bytes sit in the file as they are).
    static func corruptWeights(_ path: String) throws {
        let weights: [Float] = try H5File.open(path).openDataset("/model/00_dense/weight").readAll()
        let pattern = weights.withUnsafeBytes { Data($0) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let found = try #require(bytes.range(of: pattern), "the weights' bytes are not stored verbatim")
        let middle = found.lowerBound + pattern.count / 2
        for i in middle..<(middle + 8) { bytes[i] ^= 0xFF }
        try bytes.write(to: URL(fileURLWithPath: path))
    }
}
