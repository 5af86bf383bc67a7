import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// The library's boundary checks through the binary (BadInputTests runs these cases): data that
/// does not fit the model, and checkpoints whose numbers are out of range. Each one exits 1 with
/// exactly the one line the library's SpindleError gives, and leaves nothing behind.
enum BoundaryCases {
    typealias Case = BadInputTests.Case

    /// `spindle train data.h5` in 3 batches of 40 an epoch; a checkpoint at every step.
    static let run = ["train", "data.h5", "--layers", "8", "--batch-size", "40", "--epochs", "2", "--checkpoint-every", "1",
                      "--quiet"]

    /// goodData plus run/ckpt-000000001…4.h5, with `change` made to ckpt-000000004.h5's attributes
    /// (its training_state as a JSON object).
    static func checkpoints(_ change: @escaping @Sendable (H5File, inout [String: Any]) throws -> Void)
        -> @Sendable (TemporaryDirectory) throws -> Void {
        { scratch in
            try BadInputTests.goodData()(scratch)
            try spindleSucceeds(run + ["--checkpoint-dir", "run", "--max-steps", "4"], in: scratch)
            try edit(scratch.path("run/ckpt-000000004.h5"), change)
        }
    }

    /// Rewrites a model file's attributes: `change` gets the file and its training_state.
    static func edit(_ path: String, _ change: (H5File, inout [String: Any]) throws -> Void) throws {
        let file = try H5File.open(path, mode: .readWrite)
        var state: [String: Any] = [:]
        if file.hasAttribute("training_state") {
            let text = try file.stringAttribute("training_state")
            state = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        try change(file, &state)
        if !state.isEmpty {
            let json = try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys])
            try file.setAttribute("training_state", String(decoding: json, as: UTF8.self))
        }
        try file.close()
    }

    /// The trained model.h5 of BadInputTests.trainedModel with `change` made to its attributes.
    static func model(_ change: @escaping @Sendable (H5File) throws -> Void) -> @Sendable (TemporaryDirectory) throws -> Void {
        BadInputTests.trainedModel { scratch in try edit(scratch.path("model.h5")) { file, _ in try change(file) } }
    }

    static let resume = run + ["--checkpoint-dir", "ckpt", "--resume-from", "run/ckpt-000000004.h5"]

    /// `spindle train data.h5 --model MODEL` (6 features a row) with quick settings, then `flags`.
    static func image(_ model: String, _ flags: String..., file: String = "data.h5") -> [String] {
        ["train", file, "--model", model, "--epochs", "1", "--max-steps", "5", "--checkpoint-dir", "ckpt"] + flags
    }

    /// goodData plus `name`, its training rows stored with x of shape [N] + `shape`.
    static func images(_ name: String, _ shape: [Int]) -> @Sendable (TemporaryDirectory) throws -> Void {
        { scratch in
            try BadInputTests.goodData()(scratch)
            var data = SyntheticData()
            data.sampleShape = shape
            try data.write(to: scratch.path(name))
        }
    }

    /// Models of images whose layers do not fit their input, and image shapes that do not fit
    /// the data: one line each, naming the flag or the term and both shapes.
    static let imageCases: [Case] = [
        Case(testDescription: "a kernel larger than its padded input", kind: .runtime,
             arguments: image("conv(4,7,pad=2),flatten", "--input-shape", "1,2,3"), mentions: ["conv(4,7,pad=2)", "7×7", "(1, 2, 3)"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --model 'conv(4,7,pad=2)': expected a kernel no larger than its padded input: the kernel " +
                 "is 7×7, the input (1, 2, 3) padded by 2 is 6×7"),
        Case(testDescription: "--input-shape that does not multiply out", kind: .runtime,
             arguments: image("conv(2,1),flatten", "--input-shape", "1,2,2"), mentions: ["--input-shape", "'1,2,2'", "6", "4"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --input-shape '1,2,2': expected C·H·W = 6, the row width of data.h5:/train/x [N, 6]; " +
                 "1·2·2 is 4"),
        Case(testDescription: "a pool that does not fit", kind: .runtime,
             arguments: image("conv(2,1),maxpool(3),flatten", "--input-shape", "1,2,3"), mentions: ["maxpool(3)", "3×3", "(2, 2, 3)"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --model 'maxpool(3)': expected a window that fits its input: the window is 3×3, " +
                 "the input (2, 2, 3) is 2×3"),
        Case(testDescription: "a dense layer after an image without flatten", kind: .runtime,
             arguments: image("conv(2,1),relu,dense(4)", "--input-shape", "1,2,3"), mentions: ["dense(4)", "(2, 2, 3)", "flatten"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --model 'dense(4)': expected a vector input, but its input is an image (2, 2, 3); " +
                 "put flatten (or globalavgpool) before it"),
        Case(testDescription: "a model that ends at an image", kind: .runtime,
             arguments: image("conv(2,1),relu", "--input-shape", "1,2,3"), mentions: ["relu", "(2, 2, 3)", "flatten"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --model 'relu': expected a vector before the output layer: this ends at an image " +
                 "(2, 2, 3); end the model with flatten or globalavgpool"),
        Case(testDescription: "conv on rows of features without --input-shape", kind: .runtime,
             arguments: image("conv(2,1),flatten"), mentions: ["conv(2,1)", "6 features", "--input-shape"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --model 'conv(2,1)': expected an image input (a convolution slides over an image), but " +
                 "its input is a vector of 6 features; give the data's image shape with --input-shape C,H,W"),
        Case(testDescription: "--channels-last on rows of features without --input-shape", kind: .runtime,
             arguments: image("dense(4)", "--channels-last"), mentions: ["--channels-last", "[N, 6]", "--input-shape"],
             prepare: BadInputTests.goodData(),
             line: "spindle: invalid --channels-last 'data.h5:/train/x [N, 6]': expected --input-shape C,H,W with it for " +
                 "rows of features, to say which image each row holds (or x of shape [N, H, W, C])"),
        Case(testDescription: "--input-shape that is not C,H,W", kind: .usage,
             arguments: image("conv(2,1),flatten", "--input-shape", "2,3"), mentions: ["--input-shape", "'2,3'", "C,H,W"],
             prepare: BadInputTests.goodData()),
        Case(testDescription: "--input-shape that disagrees with the file's images", kind: .runtime,
             arguments: image("conv(2,1),flatten", "--input-shape", "1,2,3", file: "cube.h5"),
             mentions: ["--input-shape", "'1,2,3'", "[N, 3, 2, 1]", "3,2,1"], prepare: images("cube.h5", [3, 2, 1]),
             line: "spindle: invalid --input-shape '1,2,3': expected the image shape of cube.h5:/train/x [N, 3, 2, 1], 3,2,1 " +
                 "as C,H,W (or leave --input-shape out)"),
        Case(testDescription: "dense layers on a file of images", kind: .runtime,
             arguments: image("dense(8),relu", file: "cube.h5"), mentions: ["dense(8)", "(1, 2, 3)", "flatten"],
             prepare: images("cube.h5", [2, 3]),
             line: "spindle: invalid --model 'dense(8)': expected a vector input, but its input is an image (1, 2, 3); " +
                 "put flatten (or globalavgpool) before it"),
        Case(testDescription: "eval: images in another layout than the model's", kind: .runtime,
             arguments: ["eval", "model.h5", "cube.h5"], mentions: ["cube.h5:/test/x", "[3, 2]", "(1, 2, 3)"],
             prepare: { scratch in
                 try images("cube.h5", [3, 2])(scratch)
                 try spindleSucceeds(["train", "data.h5", "--quiet", "--model", "conv(2,1),flatten", "--input-shape", "1,2,3",
                                      "--epochs", "1", "--checkpoint-dir", "."], in: scratch)
             },
             line: "spindle: cube.h5:/test/x: holds images of shape [3, 2] a row, but the model takes (1, 2, 3) images " +
                 "stored channels-first, [1, 2, 3] a row"),
    ]

    static let cases: [Case] = [
        // Data that does not fit the model.
        Case(testDescription: "eval: float targets for a classifier", kind: .runtime, arguments: ["eval", "model.h5", "floats.h5"],
             mentions: ["floats.h5:/test/y", "float targets", "class labels"],
             prepare: BadInputTests.trainedModel { scratch in
                 try python("""
                     with h5py.File("floats.h5", "w") as f:
                         f["test/x"] = np.zeros((30, 6), dtype=np.float32)
                         f["test/y"] = np.zeros((30, 3), dtype=np.float32)
                     """, in: scratch)
             },
             line: "spindle: floats.h5:/test/y: holds float targets, but the model is a classifier (cross-entropy); " +
                 "expected integer class labels"),
        Case(testDescription: "eval: regression targets of another width", kind: .runtime,
             arguments: ["eval", "model.h5", "three.h5"], mentions: ["three.h5:/test/y", "3 targets", "2 outputs"],
             prepare: { scratch in
                 try BadInputTests.goodData()(scratch)
                 try python("""
                     for name, width in (("two.h5", 2), ("three.h5", 3)):
                         with h5py.File(name, "w") as f:
                             for split, rows in (("train", 60), ("test", 30)):
                                 f[split + "/x"] = np.arange(rows * 6, dtype=np.float32).reshape(rows, 6) / 100
                                 f[split + "/y"] = np.ones((rows, width), dtype=np.float32)
                     """, in: scratch)
                 try spindleSucceeds(["train", "two.h5", "--loss", "mse", "--layers", "8", "--epochs", "1", "--quiet",
                                      "--checkpoint-dir", "."], in: scratch)
             },
             line: "spindle: three.h5:/test/y: has 3 targets per row, but the model has 2 outputs"),

        // Numbers out of range in a model file.
        Case(testDescription: "eval: format_version 0", kind: .runtime, arguments: ["eval", "model.h5", "data.h5"],
             mentions: ["model.h5", "format_version 0"], prepare: model { try $0.setAttribute("format_version", 0) },
             line: "spindle: model.h5: format_version 0 is not a version Spindle writes; expected 1 to 2"),
        Case(testDescription: "eval: negative steps", kind: .runtime, arguments: ["eval", "model.h5", "data.h5"],
             mentions: ["model.h5", "steps", "-1"], prepare: model { try $0.setAttribute("steps", -1) },
             line: "spindle: model.h5: its steps attribute is -1; expected a count >= 0"),
        Case(testDescription: "eval: a config with --lr 0", kind: .runtime, arguments: ["eval", "model.h5", "data.h5"],
             mentions: ["model.h5", "config", "--lr"],
             prepare: model { file in
                 let config = try file.stringAttribute("config")
                 try file.setAttribute("config", config.replacingOccurrences(of: "\"learningRate\":0.001", with: "\"learningRate\":0"))
             },
             line: "spindle: model.h5: its config attribute is not usable: invalid --lr '0.0': expected a finite number > 0"),

        // A checkpoint's state out of range: a batch past the end of its epoch used to make the
        // resumed run loop forever.
        Case(testDescription: "train --resume-from: batch past the epoch's end", kind: .runtime, arguments: resume,
             mentions: ["run/ckpt-000000004.h5", "batchInEpoch 3"],
             prepare: checkpoints { _, state in state["batchInEpoch"] = 3 },
             line: "spindle: run/ckpt-000000004.h5: its training_state batchInEpoch 3 is out of range: an epoch has 3 " +
                 "batches, so expected 0..<3"),
        Case(testDescription: "train --resume-from: step differs from steps", kind: .runtime, arguments: resume,
             mentions: ["run/ckpt-000000004.h5", "step 9"],
             prepare: checkpoints { _, state in state["step"] = 9 },
             line: "spindle: run/ckpt-000000004.h5: its training_state step 9 differs from its steps attribute 4"),
        Case(testDescription: "train --resume-from: negative epochRows", kind: .runtime, arguments: resume,
             mentions: ["run/ckpt-000000004.h5", "epochRows -40"],
             prepare: checkpoints { _, state in state["epochRows"] = -40 },
             line: "spindle: run/ckpt-000000004.h5: its training_state epochRows -40 is negative; expected a count >= 0"),
        Case(testDescription: "train --resume-from: train_rows 0", kind: .runtime, arguments: resume,
             mentions: ["run/ckpt-000000004.h5", "train_rows"],
             prepare: checkpoints { file, _ in try file.setAttribute("train_rows", 0) },
             line: "spindle: run/ckpt-000000004.h5: its train_rows attribute is 0; expected a positive number of rows"),
    ]
}

/// With --resume, a checkpoint whose numbers are out of range is skipped like a corrupted one:
/// one line says which and why, one says where the run falls back to, and the run goes on.
@Suite struct OutOfRangeCheckpointTests {
    @Test func resumeSkipsItAndFallsBack() throws {
        let scratch = try TemporaryDirectory()
        try BoundaryCases.checkpoints { _, state in state["batchInEpoch"] = 7 }(scratch)
        let resumed = try spindleSucceeds(BoundaryCases.run + ["--checkpoint-dir", "run", "--resume", "--max-steps", "6"],
                                          in: scratch)
        #expect(resumed.stderrLines == [
            "spindle: skipping run/ckpt-000000004.h5: run/ckpt-000000004.h5: its training_state batchInEpoch 7 is out " +
                "of range: an epoch has 3 batches, so expected 0..<3",
            "spindle: falling back to run/ckpt-000000003.h5",
            "spindle: resuming from run/ckpt-000000003.h5 at step 3 (epoch 2, batch 0)",
        ], "\(resumed.transcript)")
    }
}
