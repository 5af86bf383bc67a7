import Foundation
import SpindleTestSupport
import Testing

/// Files cross the boundary to Python both ways: datasets written by h5py with its default
/// settings train in Spindle, and Spindle's model files run in NumPy from the documented layout.
@Suite struct H5pyInteropTests {
    /// h5py's defaults: contiguous storage (no chunks, no filters), the dtypes NumPy had.
    @Test func trainsOnH5pyDefaultFiles() throws {
        let scratch = try TemporaryDirectory()
        // One set of numbers stored four ways; every value is exact in float32, so float64 x and
        // int32 y must give the same bits as float32 x and int64 y.
        try python("""
            rng = np.random.default_rng(3)
            def split(n):
                y = np.arange(n) % 3
                centers = np.array([[2, 0, -2, 0], [-2, 2, 0, 0], [0, -2, 2, 1]], dtype=np.float64)
                x = (centers[y] + rng.uniform(-1, 1, size=(n, 4))).astype(np.float32)
                return x, y
            train, test = split(240), split(60)
            variants = {
                "f32_i64.h5": (np.float32, np.int64),
                "f64_i64.h5": (np.float64, np.int64),
                "f32_i32.h5": (np.float32, np.int32),
            }
            for name, (xt, yt) in variants.items():
                with h5py.File(name, "w") as f:
                    for split_name, (x, y) in (("train", train), ("test", test)):
                        f[f"{split_name}/x"] = x.astype(xt)
                        f[f"{split_name}/y"] = y.astype(yt)
            # Pixels: uint8 features, scaled by 1/255 in Spindle.
            with h5py.File("u8_i64.h5", "w") as f:
                for split_name, (x, y) in (("train", train), ("test", test)):
                    f[f"{split_name}/x"] = np.clip((x + 4) * 30, 0, 255).astype(np.uint8)
                    f[f"{split_name}/y"] = y.astype(np.int64)
            with h5py.File("f64_i64.h5", "r") as f:
                assert f["train/x"].chunks is None and f["train/x"].dtype == np.float64
            """, in: scratch)

        var summaries: [String: [String: Any]] = [:]
        for file in ["f32_i64.h5", "f64_i64.h5", "f32_i32.h5", "u8_i64.h5"] {
            let train = try spindleSucceeds(["train", file, "--json", "--layers", "16", "--epochs", "6",
                                             "--lr", "0.01", "--batch-size", "32"], in: scratch)
            let summary = try jsonObject(train.stdoutLines.last ?? "")
            #expect((summary["test_accuracy"] as? Double ?? 0) > 0.9, "\(file): \(summary)")
            summaries[file] = summary
        }
        for file in ["f64_i64.h5", "f32_i32.h5"] {
            for key in ["train_loss", "test_loss", "test_accuracy"] {
                #expect(summaries[file]?[key] as? Double == summaries["f32_i64.h5"]?[key] as? Double,
                        "\(key) of \(file) and f32_i64.h5")
            }
        }
    }

    /// The snippet in docs/model-format.md, run as it is, reproduces `spindle predict`: for the
    /// shorthand's models, and for layer lists it cannot express (two activations, a dropout
    /// before the activation, one dense layer right after another, a layer of its own init,
    /// norms, nested residual blocks, gelu, silu, leaky_relu); and models of images: convs
    /// with stride and padding, both pools, global average pooling and flatten, on flat rows
    /// read as images (--input-shape), images stored channels-first and channels-last, with
    /// per-channel standardisation.
    @Test(arguments: [
        ModelCase(data: "bundled", options: ["--layers", "32,16", "--activation", "relu", "--dropout", "0.1"],
                  output: "probabilities"),
        ModelCase(data: "synthetic", options: ["--layers", "16", "--activation", "tanh", "--dropout", "0.1"],
                  output: "probabilities"),
        ModelCase(data: "synthetic", options: ["--layers", "12,8", "--activation", "sigmoid", "--dropout", "0.1",
                                               "--loss", "mse", "--optimizer", "sgd", "--lr", "0.1"], output: "outputs"),
        ModelCase(data: "bundled", options: ["--layers", "16", "--dropout", "0.1", "--standardize"],
                  output: "probabilities"),
        ModelCase(data: "synthetic", options: ["--model", "dense(12),tanh,dense(8),dropout(0.1),relu"],
                  output: "probabilities"),
        ModelCase(data: "synthetic", options: ["--model", "dropout(0.1),dense(10,init=torch),sigmoid,dense(6),dense(7),relu",
                                               "--loss", "mse", "--optimizer", "sgd", "--lr", "0.1"], output: "outputs"),
        ModelCase(data: "bundled", options: ["--model", "dense(24),dropout(0.2),relu", "--standardize"],
                  output: "probabilities"),
        ModelCase(data: "synthetic", options: ["--model", "dense(12),batchnorm,gelu,residual(layernorm,dense(12),silu)," +
                                                   "residual(batchnorm,dense(6),leaky_relu(0.2),dense(12),residual(tanh)),leaky_relu"],
                  output: "probabilities"),
        ModelCase(data: "bundled", options: ["--input-shape", "1,28,28", "--standardize", "--model",
                                             "conv(4,3,pad=1),relu,maxpool(2),conv(6,3,stride=2),relu,avgpool(2,stride=1),flatten,dense(16),relu"],
                  output: "probabilities"),
        ModelCase(data: "images", options: ["--model", "conv(4,3),relu,maxpool(2,stride=1),conv(5,2,stride=2,pad=1),tanh,globalavgpool"],
                  output: "probabilities"),
        ModelCase(data: "images-last", options: ["--channels-last", "--standardize", "--model",
                                                 "conv(4,3,pad=1),relu,avgpool(3),flatten,dropout(0.1),dense(8)"],
                  output: "probabilities"),
    ])
    func documentedSnippetReproducesPredict(_ model: ModelCase) throws {
        let scratch = try TemporaryDirectory()
        let snippet = try Self.documentedSnippet()
        var data = bundledData
        if model.data != "bundled" {
            data = "data.h5"
            // Images (3, 9, 11) of odd sizes, stored [N, C, H, W] or [N, H, W, C].
            let images = model.data.hasPrefix("images")
            var synthetic = SyntheticData(trainRows: 200, testRows: 50, features: images ? 297 : 10, classes: 5)
            if images { synthetic.sampleShape = model.data == "images" ? [3, 9, 11] : [9, 11, 3] }
            try synthetic.write(to: scratch.path(data))
        }
        let modelPath = try trainModel(on: data, in: scratch, ["--epochs", "1", "--max-steps", "30"] + model.options)
        try spindleSucceeds(["predict", modelPath, data, "-o", "spindle.h5"], in: scratch)

        let check = snippet + """

            _expected = h5py.File(sys.argv[3], "r")["\(model.output)"][...]
            _ours = predict(sys.argv[1], sys.argv[2])
            assert _ours.shape == _expected.shape, (_ours.shape, _expected.shape)
            print("max_abs_difference", float(np.abs(_ours - _expected).max()))
            """
        let result = try python(check, modelPath, data, "spindle.h5", in: scratch)
        #expect(result.stdout.contains("predicted classes of the first rows"), "the snippet's own output")
        let line = try #require(result.stdoutLines.first { $0.hasPrefix("max_abs_difference ") }, "\(result.transcript)")
        let difference = try #require(Double(line.split(separator: " ")[1]))
        #expect(difference <= 1e-5, "h5py + NumPy vs spindle predict: \(difference)")
    }

    /// A model file written by h5py from the documented layout alone runs in `spindle predict` and
    /// gives what the snippet gives: the documentation is enough. Version 2 is today's layout
    /// (a layer list the shorthand cannot express); version 1, with the config of a Spindle 0.1.0
    /// file, checks that files of a known version stay readable.
    @Test(arguments: [1, 2])
    func modelWrittenByH5pyFromTheDocumentedLayoutRuns(version: Int) throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData(features: 6, classes: 3).write(to: scratch.path("data.h5"))
        try python(#"""
            version = int(sys.argv[1])
            optimizer = ('"optimizer":{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"kind":"adam","learningRate":0.001,'
                         '"momentum":0.9,"nesterov":false,"weightDecay":0},"schedule":{"constant":{}},"seed":0}')
            if version == 1:
                config = ('{"activation":"tanh","batchSize":128,"dropout":0,"epochs":1,"hiddenSizes":[5],'
                          '"loss":"cross-entropy","maxSteps":20,' + optimizer)
                groups = [("dense_0", (6, 5)), ("dense_1", (5, 3))]
            else:
                spec = '[{"dense":5},"tanh",{"dropout":0.1},{"dense":4},"relu"]'
                config = ('{"batchSize":128,"epochs":1,"loss":"cross-entropy","maxSteps":20,"model":' + spec + ','
                          + optimizer)
                groups = [("00_dense", (6, 5)), ("03_dense", (5, 4)), ("05_dense", (4, 3))]
            rng = np.random.default_rng(7)
            with h5py.File("model.h5", "w") as f:
                f.attrs.update(format="spindle-model", format_version=version, spindle_version="0.1.0",
                               config=config, steps=0, epochs=0)
                model = f.create_group("model")
                if version == 1:
                    model.attrs.update(architecture="6-5-3", widths=np.array([6, 5, 3]), activation="tanh",
                                       loss="cross-entropy")
                else:
                    model.attrs.update(spec=spec, input_shape=np.array([6]), outputs=3, loss="cross-entropy",
                                       architecture="6-5-4-3")
                for group, (inputs, outputs) in groups:
                    for name, shape in (("weight", (outputs, inputs)), ("bias", (outputs,))):
                        model.create_dataset(f"{group}/{name}", data=rng.standard_normal(shape).astype(np.float32),
                                             chunks=shape, fletcher32=True)
                f.create_group("optimizer").attrs.update(kind="adam", step=0)
            """#, String(version), in: scratch)
        let inspect = try spindle(["inspect", "model.h5"], in: scratch)
        try #require(inspect.status == 0, "\(inspect.transcript)")
        #expect(inspect.stdout.contains(version == 1 ? "6-5-3" : "6-5-4-3"), "\(inspect.transcript)")
        let predict = try spindle(["predict", "model.h5", "data.h5", "-o", "spindle.h5"], in: scratch)
        try #require(predict.status == 0, "\(predict.transcript)")
        let check = try Self.documentedSnippet() + """

            _expected = h5py.File("spindle.h5", "r")["probabilities"][...]
            print("max_abs_difference", float(np.abs(predict("model.h5", "data.h5") - _expected).max()))
            """
        let result = try python(check, "model.h5", "data.h5", in: scratch)
        let line = try #require(result.stdoutLines.first { $0.hasPrefix("max_abs_difference ") }, "\(result.transcript)")
        #expect(try #require(Double(line.split(separator: " ")[1])) <= 1e-5)
    }

    struct ModelCase: Sendable, CustomTestStringConvertible {
        var data: String
        var options: [String]
        var output: String
        var testDescription: String { "\(data) \(options.joined(separator: " "))" }
    }

    /// The one ```python block of docs/model-format.md.
    static func documentedSnippet(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = repositoryRoot.appendingPathComponent("docs/model-format.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // The runnable snippet is the first python block (the Keras section's block is a sketch).
        let blocks = text.components(separatedBy: "```python\n").dropFirst()
        #expect(!blocks.isEmpty, "docs/model-format.md has a python snippet", sourceLocation: sourceLocation)
        let block = try #require(blocks.first, sourceLocation: sourceLocation)
        return try #require(block.components(separatedBy: "\n```").first, sourceLocation: sourceLocation) + "\n"
    }
}
