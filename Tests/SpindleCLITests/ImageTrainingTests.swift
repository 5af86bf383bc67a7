import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// Convolutional models through the binary: flat files read as images with --input-shape (the
/// bundled Fashion-MNIST sample as it is), and the model file and layer table that record it.
@Suite struct ImageTrainingTests {
    static let cnn = ["--model", "conv(4,3,pad=1),relu,maxpool(2),flatten,dense(16),relu"]
    static let quick = ["--epochs", "1", "--max-steps", "20", "--batch-size", "64", "--lr", "0.003"]

    @Test func flatRowsTrainAsImagesWithInputShape() throws {
        let scratch = try TemporaryDirectory()
        let run = try spindleSucceeds(["train", bundledData, "--input-shape", "1,28,28", "--checkpoint-dir", "run"]
                                      + Self.cnn + Self.quick, in: scratch)
        // The layer table shows every layer's output image.
        let table = run.stderrLines.map { $0.trimmingCharacters(in: .whitespaces) }
            .drop { !$0.hasPrefix("#") }.prefix(9).map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(Array(table) == [
            "# layer output shape parameters",
            "0 conv(4,3,pad=1) (4, 28, 28) 40",
            "1 relu (4, 28, 28) 0",
            "2 maxpool(2) (4, 14, 14) 0",
            "3 flatten (784) 0",
            "4 dense(16) (16) 12,560",
            "5 relu (16) 0",
            "6 dense(10) (output) (10) 170",
            "input (1, 28, 28) total 12,770",
        ], "\(run.transcript)")
        #expect(run.stdout.hasPrefix("test accuracy"), "\(run.transcript)")

        try python("""
            import json
            with h5py.File("run/model.h5", "r") as f:
                model = f["model"]
                assert list(model.attrs["input_shape"]) == [1, 28, 28], model.attrs["input_shape"]
                assert model.attrs["input_layout"] == "channels_first", model.attrs["input_layout"]
                assert model["00_conv/weight"].shape == (4, 1, 3, 3) and model["00_conv/bias"].shape == (4,)
                assert model["04_dense/weight"].shape == (16, 784)
                config = json.loads(f.attrs["config"])
                assert config["inputShape"] == {"channels": 1, "height": 28, "width": 28}, config
            """, in: scratch)

        let inspect = try spindleSucceeds(["inspect", "run/model.h5"], in: scratch)
        #expect(inspect.stdout.contains("  0  conv(4,3,pad=1)     (4, 28, 28)           40"), "\(inspect.transcript)")
        #expect(inspect.stdout.contains("input (1, 28, 28), channels-first"), "\(inspect.transcript)")
        let eval = try spindleSucceeds(["eval", "run/model.h5", bundledData, "--json"], in: scratch)
        let accuracy = try #require(try jsonObject(eval.stdoutLines.last ?? "")["accuracy"] as? Double)
        #expect(accuracy > 0.3, "20 steps of a CNN beat chance (0.1): \(accuracy)")
    }

    /// A resumed run must read its rows as the same images: leaving --input-shape out is a
    /// change of settings like any other.
    @Test func resumeRefusesAnotherInputShape() throws {
        let scratch = try TemporaryDirectory()
        let run = ["train", bundledData, "--quiet", "--checkpoint-dir", "run", "--model", "conv(2,3),flatten"] + Self.quick
        try spindleSucceeds(run + ["--input-shape", "1,28,28", "--max-steps", "3"], in: scratch)
        let resumed = try spindle(run + ["--input-shape", "4,14,14", "--resume"], in: scratch)
        #expect(resumed.status == 1, "\(resumed.transcript)")
        #expect(resumed.stderrLines.count == 1, "\(resumed.transcript)")
        #expect(resumed.stderr.contains(#"inputShape {"channels":1,"height":28,"width":28} → {"channels":4,"height":14,"width":14}"#),
                "\(resumed.transcript)")
    }

    /// Images (3, 6, 5) of three classes, 300 train and 60 test rows, stored as `shape`.
    static func images(_ scratch: TemporaryDirectory, _ name: String, shape: [Int], rows: Int = 300,
                       chunkRows: Int? = nil) throws {
        var data = SyntheticData(trainRows: rows, testRows: 60, features: 90, classes: 3, seed: 4)
        if shape == [6, 5, 3] {
            // The same images stored channels-last: value (c, y, x) moves to (y, x, c).
            func last(_ x: [Float]) -> [Float] {
                (0..<x.count).map { i in
                    let row = i / 90, (y, x5, c) = (i % 90 / 15, i % 15 / 3, i % 3)
                    return x[row * 90 + c * 30 + y * 5 + x5]
                }
            }
            data.trainX = last(data.trainX)
            data.testX = last(data.testX)
        }
        data.sampleShape = shape
        data.chunkRows = chunkRows
        try data.write(to: scratch.path(name))
    }

    static let imageModel = ["--model", "conv(4,3,pad=1),relu,maxpool(2),flatten,dropout(0.1),dense(8),relu",
                             "--epochs", "2", "--batch-size", "32", "--lr", "0.01", "--seed", "2", "--quiet", "--standardize"]

    /// x [N, H, W], [N, C, H, W] and [N, H, W, C] (--channels-last) are images; the same images
    /// give the same weights, bit for bit, however they are stored (the engine reads them
    /// channels-last either way), and eval, predict and inspect take them.
    @Test func datasetsOfImagesTrainEvaluateAndPredict() throws {
        let scratch = try TemporaryDirectory()
        try Self.images(scratch, "flat.h5", shape: [90])
        try Self.images(scratch, "first.h5", shape: [3, 6, 5])
        try Self.images(scratch, "last.h5", shape: [6, 5, 3])
        try spindleSucceeds(["train", "flat.h5", "--input-shape", "3,6,5", "--checkpoint-dir", "flat"] + Self.imageModel, in: scratch)
        try spindleSucceeds(["train", "first.h5", "--checkpoint-dir", "first"] + Self.imageModel, in: scratch)
        try spindleSucceeds(["train", "last.h5", "--channels-last", "--checkpoint-dir", "last"] + Self.imageModel, in: scratch)
        let reference = try floatDatasets(in: scratch.path("flat/model.h5"), under: ["/model"])
        #expect(reference.keys.sorted() == ["/model/00_conv/bias", "/model/00_conv/weight", "/model/05_dense/bias",
                                            "/model/05_dense/weight", "/model/07_dense/bias", "/model/07_dense/weight",
                                            "/model/standardize/mean", "/model/standardize/std"])
        #expect(try floatDatasets(in: scratch.path("first/model.h5"), under: ["/model"]) == reference)
        #expect(try floatDatasets(in: scratch.path("last/model.h5"), under: ["/model"]) == reference)
        try python("""
            with h5py.File("last/model.h5", "r") as f:
                assert f["model"].attrs["input_layout"] == "channels_last"
                assert f["model/standardize/mean"].shape == (3,), f["model/standardize/mean"].shape
            with h5py.File("first.h5", "r") as f:
                x = f["train/x"][...]
            # Per channel, over every pixel of the channel (population deviation).
            with h5py.File("first/model.h5", "r") as f:
                assert np.allclose(f["model/standardize/mean"][...], x.mean(axis=(0, 2, 3)), atol=1e-6)
                assert np.allclose(f["model/standardize/std"][...], x.std(axis=(0, 2, 3)), atol=1e-6)
            """, in: scratch)

        // Each model evaluates the images stored its own way, and rows of features.
        var accuracies: [Double] = []
        for (model, data) in [("first", "first.h5"), ("first", "flat.h5"), ("last", "last.h5"), ("flat", "first.h5")] {
            let eval = try spindleSucceeds(["eval", "\(model)/model.h5", data, "--json"], in: scratch)
            accuracies.append(try #require(try jsonObject(eval.stdoutLines.last ?? "")["accuracy"] as? Double))
        }
        #expect(Set(accuracies).count == 1, "the same model on the same images: \(accuracies)")
        #expect(accuracies[0] > 0.8, "three learnable classes: \(accuracies)")
        try spindleSucceeds(["predict", "last/model.h5", "last.h5", "-o", "p_last.h5"], in: scratch)
        try spindleSucceeds(["predict", "first/model.h5", "first.h5", "-o", "p_first.h5"], in: scratch)
        #expect(try floatDatasets(in: scratch.path("p_last.h5"), under: ["/"]) ==
                floatDatasets(in: scratch.path("p_first.h5"), under: ["/"]))
        let inspect = try spindleSucceeds(["inspect", "last/model.h5"], in: scratch)
        #expect(inspect.stdout.contains("input (3, 6, 5), channels-last: x [N, 6, 5, 3] or [N, 90]"), "\(inspect.transcript)")
        #expect(inspect.stdout.contains("standardised per channel (/model/standardize)"), "\(inspect.transcript)")
        let data = try spindleSucceeds(["inspect", "first.h5"], in: scratch)
        #expect(data.stdout.contains("/train/x  float32 [300, 3, 6, 5]"), "\(data.transcript)")
    }

    /// A split of images over --memory-budget is streamed in blocks of whole chunks, and learns.
    @Test func aStreamedDatasetOfImagesTrains() throws {
        let scratch = try TemporaryDirectory()
        // 6,000 rows × 90 float32 = 2.2 MB, in chunks of 100 rows; a budget of 1 MB.
        try Self.images(scratch, "big.h5", shape: [3, 6, 5], rows: 6000, chunkRows: 100)
        let run = try spindleSucceeds(["train", "big.h5", "--memory-budget", "1M", "--prefetch", "1", "--epochs", "1",
                                       "--batch-size", "50", "--model", "conv(4,3,pad=1),relu,maxpool(2),flatten"],
                                      in: scratch)
        #expect(run.stderr.contains("streaming big.h5:/train (2.1 MiB > --memory-budget 1 MiB)"), "\(run.transcript)")
        let accuracy = try #require(run.stdoutLines.last { $0.hasPrefix("test accuracy") }, "\(run.transcript)")
        #expect(try #require(Double(accuracy.split(separator: " ")[2])) > 0.8, "\(accuracy)")
    }

    /// DESIGN.md contracts 1 and 2 for a conv model: --workers 1 and 2 give the same model file,
    /// and a run stopped mid-epoch and resumed gives the bits of one that was never stopped.
    @Test func aConvModelIsTheSameForAnyWorkersAndAfterResuming() throws {
        let scratch = try TemporaryDirectory()
        try Self.images(scratch, "data.h5", shape: [3, 6, 5])
        // 300 rows in batches of 32: 10 steps an epoch, the last of 12 rows; 4 shards.
        let run = ["train", "data.h5", "--shards", "4"] + Self.imageModel
        try spindleSucceeds(run + ["--workers", "1", "--checkpoint-dir", "w1"], in: scratch)
        try spindleSucceeds(run + ["--workers", "2", "--checkpoint-dir", "w2"], in: scratch)
        try spindleSucceeds(run + ["--workers", "2", "--checkpoint-dir", "resumed", "--max-steps", "13"], in: scratch)
        let resumed = try spindleSucceeds(run + ["--workers", "1", "--checkpoint-dir", "resumed", "--resume"], in: scratch)
        #expect(resumed.stderr.contains("at step 13 (epoch 2, batch 3)"), "\(resumed.transcript)")
        let reference = try floatDatasets(in: scratch.path("w1/model.h5"))
        #expect(reference["/model/00_conv/weight"]?.count == 4 * 3 * 3 * 3)
        #expect(reference["/optimizer/moment_2"] != nil)
        #expect(try floatDatasets(in: scratch.path("w2/model.h5")) == reference)
        #expect(try floatDatasets(in: scratch.path("resumed/model.h5")) == reference)
    }

    /// `spindle scale` measures a conv model on rows read as images, and refuses one whose
    /// layers do not fit its input in one line instead of failing inside the engine.
    @Test func scaleMeasuresAConvModel() throws {
        let scratch = try TemporaryDirectory()
        let run = try spindleSucceeds(["scale", bundledData, "--input-shape", "1,28,28", "--model", "conv(4,3),relu,flatten",
                                       "--workers", "1,2", "--steps", "2", "--repeats", "1", "--batch-size", "64", "--json"],
                                      in: scratch)
        let rows = try #require(try jsonObject(run.stdoutLines.last ?? "")["rows"] as? [[String: Any]], "\(run.transcript)")
        #expect(rows.count == 2)
        let bad = try spindle(["scale", bundledData, "--model", "conv(4,3),relu,flatten", "--workers", "1", "--steps", "2",
                               "--repeats", "1"], in: scratch)
        #expect(bad.status == 1, "\(bad.transcript)")
        #expect(bad.stderrLines == ["spindle: invalid --model 'conv(4,3)': expected an image input (a convolution slides " +
                                    "over an image), but its input is a vector of 784 features; give the data's image " +
                                    "shape with --input-shape C,H,W"], "\(bad.transcript)")
    }
}
