import Foundation
import SpindleTestSupport
import Testing

/// `spindle export --format keras`: the file has the layout Keras' `load_weights` reads (checked
/// with h5py, which is what Keras reads it with), and its weights give `spindle predict`'s outputs.
@Suite struct ExportTests {
    /// Reads the export as Keras' legacy loader does (layer_names, then each group's weight_names,
    /// then the datasets at those names) and runs it through the printed Sequential model, built
    /// from NumPy stand-ins of Keras' layers, the weights going by position to its Dense layers.
    static let kerasCheck = """
        weights, model, data, predictions, output, source = sys.argv[1:7]
        with h5py.File(weights, "r") as f:
            names = f.attrs["layer_names"]
            assert names.dtype.kind == "S", names.dtype  # fixed-length byte strings, as Keras writes
            names = [n.decode("utf8") for n in names]
            assert names == ["dense"] + [f"dense_{l}" for l in range(1, len(names))], names
            for key in ("backend", "keras_version"):
                assert isinstance(f.attrs[key], bytes), (key, type(f.attrs[key]))
            assert f.attrs["backend"] == b"tensorflow" and f.attrs["keras_version"] == b"2.15.0"
            assert sorted(f.keys()) == sorted(names), list(f.keys())
            layers = []
            for name in names:
                weight_names = f[name].attrs["weight_names"]
                assert weight_names.dtype.kind == "S", weight_names.dtype
                assert [w.decode("utf8") for w in weight_names] == [f"{name}/kernel:0", f"{name}/bias:0"]
                kernel, bias = (f[name][w.decode("utf8")] for w in weight_names)
                assert kernel.dtype == np.float32 and bias.dtype == np.float32
                layers.append((kernel[...].astype(np.float64), bias[...].astype(np.float64)))
        with h5py.File(model, "r") as f:
            (features,), outputs = f["model"].attrs["input_shape"], int(f["model"].attrs["outputs"])
            # One kernel per dense group of the model file, in the same order.
            groups = sorted(g for g in f["model"] if g.endswith("_dense"))
            assert [k.shape for k, _ in layers] == [f["model"][g]["weight"].shape[::-1] for g in groups]

        def softmax(z):
            z = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: exp cannot overflow
            return z / z.sum(axis=1, keepdims=True)
        ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
                       "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "softmax": softmax}
        class Input:
            def __init__(self, shape):
                self.shape = shape
        class Dense:  # x @ kernel + bias, then the activation
            def __init__(self, units, activation=None):
                self.units, self.activation = units, ACTIVATIONS[activation]
            def __call__(self, h):
                assert self.kernel.shape[1] == self.units, (self.kernel.shape, self.units)
                return self.activation(h @ self.kernel + self.bias)
        class Dropout:  # at prediction, the identity
            def __init__(self, rate):
                assert 0 <= rate < 1
            def __call__(self, h):
                return h
        class Activation:
            def __init__(self, activation):
                self.activation = ACTIVATIONS[activation]
            def __call__(self, h):
                return self.activation(h)
        def Sequential(stack):
            return stack
        stack = eval(source)
        assert isinstance(stack[0], Input) and stack[0].shape == (features,), stack[0].shape
        dense = [layer for layer in stack if isinstance(layer, Dense)]
        assert len(dense) == len(layers) and dense[-1].units == outputs, (len(dense), len(layers))
        for layer, (kernel, bias) in zip(dense, layers):  # by position, as Keras loads .h5 weights
            layer.kernel, layer.bias = kernel, bias
        with h5py.File(data, "r") as f:
            h = f["test/x"][...].astype(np.float64)
        for layer in stack[1:]:
            h = layer(h)
        with h5py.File(predictions, "r") as f:
            expected = f[output][...]
        assert h.shape == expected.shape, (h.shape, expected.shape)
        print("max_abs_difference", float(np.abs(h - expected).max()))
        """

    struct ModelCase: Sendable, CustomTestStringConvertible {
        var options: [String]
        var output: String
        var keras: String
        var testDescription: String { options.joined(separator: " ") }
    }

    @Test(arguments: [
        ModelCase(options: ["--layers", "16,8", "--activation", "relu", "--dropout", "0.1"], output: "probabilities",
                  keras: #"Sequential([Input((10,)), Dense(16, activation="relu"), Dropout(0.1), "#
                      + #"Dense(8, activation="relu"), Dropout(0.1), Dense(5, activation="softmax")])"#),
        // A layer list the shorthand cannot express: an activation after a dropout is a layer of
        // its own, a dense layer right after another takes none.
        ModelCase(options: ["--model", "dense(12),dropout(0.1),tanh,dense(8),dense(6),relu"], output: "probabilities",
                  keras: #"Sequential([Input((10,)), Dense(12), Dropout(0.1), Activation("tanh"), Dense(8), "#
                      + #"Dense(6, activation="relu"), Dense(5, activation="softmax")])"#),
        ModelCase(options: ["--layers", "12", "--activation", "tanh", "--loss", "mse", "--optimizer", "sgd",
                            "--lr", "0.1"], output: "outputs",
                  keras: #"Sequential([Input((10,)), Dense(12, activation="tanh"), Dense(5)])"#),
        // The standardisation is folded into the first layer's weights.
        ModelCase(options: ["--layers", "8", "--standardize"], output: "probabilities",
                  keras: #"Sequential([Input((10,)), Dense(8, activation="relu"), Dense(5, activation="softmax")])"#),
    ])
    func exportReproducesPredict(_ model: ModelCase) throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData(trainRows: 200, testRows: 50, features: 10, classes: 5).write(to: scratch.path("data.h5"))
        let modelPath = try trainModel(on: "data.h5", in: scratch, ["--epochs", "1", "--max-steps", "30"] + model.options)
        try spindleSucceeds(["predict", modelPath, "data.h5", "-o", "spindle.h5"], in: scratch)
        let export = try spindleSucceeds(["export", modelPath, "--format", "keras", "-o", "weights.h5"], in: scratch)
        #expect(export.stdout.isEmpty, "\(export.transcript)")
        #expect(export.stderr.contains("model = \(model.keras)"), "\(export.transcript)")
        #expect(export.stderr.contains("model.load_weights(\"weights.h5\")"), "\(export.transcript)")

        let check = try python(Self.kerasCheck, "weights.h5", modelPath, "data.h5", "spindle.h5", model.output,
                               model.keras, in: scratch)
        let line = try #require(check.stdoutLines.first { $0.hasPrefix("max_abs_difference") }, "\(check.transcript)")
        let difference = try #require(Double(line.split(separator: " ").last ?? ""), "\(line)")
        // Spindle computes in float32, the check in float64 from the same float32 weights.
        #expect(difference < 1e-5, "Keras-layout forward pass vs spindle predict")
    }

    @Test func defaultFormatIsKeras() throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))
        let modelPath = try trainModel(on: "data.h5", in: scratch)
        try spindleSucceeds(["export", modelPath, "--output", "out.hdf5"], in: scratch)
        try python("""
            with h5py.File("out.hdf5", "r") as f:
                assert [n.decode() for n in f.attrs["layer_names"]] == ["dense", "dense_1"], f.attrs["layer_names"]
            """, in: scratch)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        /// 1 for a runtime error ("spindle: …"), 64 for a usage error caught by the parser or `validate()`.
        var status: Int32
        /// Substrings of the message: the file or flag, and what was wrong.
        var mentions: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    /// A mistake: one "spindle: …" line (or a usage error for a bad file name or flag), nothing written.
    @Test(arguments: [
        BadCase(arguments: ["export", "data.h5", "-o", "out.h5"], status: 1,
                mentions: ["data.h5", "not a Spindle model file"]),
        BadCase(arguments: ["export", "notes.h5", "-o", "out.h5"], status: 1, mentions: ["notes.h5", "not an HDF5 file"]),
        BadCase(arguments: ["export", "model/model.h5", "-o", "missing/out.h5"], status: 1,
                mentions: ["missing/out.h5", "does not exist"]),
        BadCase(arguments: ["export", "model/model.h5", "-o", "folder.h5"], status: 1,
                mentions: ["folder.h5", "is a directory"]),
        BadCase(arguments: ["export", "model/model.h5", "-o", "out.weights.h5"], status: 64,
                mentions: ["out.weights.h5", "Keras 3"]),
        BadCase(arguments: ["export", "model/model.h5", "-o", "out.txt"], status: 64, mentions: ["out.txt", ".h5 or .hdf5"]),
        BadCase(arguments: ["export", "model/model.h5", "--format", "onnx", "-o", "out.h5"], status: 64,
                mentions: ["--format", "onnx"]),
        BadCase(arguments: ["export", "model/model.h5"], status: 64, mentions: ["--output"]),
    ])
    func badInputWritesNothing(_ bad: BadCase) throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))
        try trainModel(on: "data.h5", in: scratch)
        try "x,y\n1,2\n".write(toFile: scratch.path("notes.h5"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.path("folder.h5"), withIntermediateDirectories: false)
        let before = scratch.snapshot()

        let result = try spindle(bad.arguments, in: scratch)
        #expect(result.status == bad.status, "\(result.transcript)")
        if bad.status == 1 {
            #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("spindle: "), "\(result.transcript)")
        }
        for mention in bad.mentions {
            #expect(result.stderr.contains(mention), "message names \(mention):\n\(result.transcript)")
        }
        #expect(result.stdout.isEmpty, "\(result.transcript)")
        #expect(scratch.snapshot() == before, "nothing written by spindle \(bad.testDescription)")
    }
}
