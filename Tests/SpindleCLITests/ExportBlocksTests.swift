import Foundation
import SpindleTestSupport
import Testing

/// `spindle export --format keras` of a model with residual blocks and norms: the printed program
/// builds a functional Keras model, and the file's weights, loaded by position into its layers
/// with weights as Keras does, give `spindle predict`'s outputs.
@Suite struct ExportBlocksTests {
    /// Runs the printed program with NumPy stand-ins of the Keras classes it uses, evaluating
    /// eagerly: `Input` is the test features, each layer with weights takes the next group of
    /// the file when it is made (the order `model.layers` lists a functional model's layers, and
    /// so the order `load_weights` fills them), and the program's `load_weights` checks that
    /// every group was used.
    static let functionalCheck = """
        import math
        weights, data, predictions, output = sys.argv[1:5]
        program = sys.stdin.read()
        f = h5py.File(weights, "r")
        names = [n.decode("utf8") for n in f.attrs["layer_names"]]
        groups = iter(names)
        def take(kind, *tensors):
            name = next(groups)
            assert name == kind or name.startswith(kind + "_"), (name, kind)
            stored = [w.decode("utf8") for w in f[name].attrs["weight_names"]]
            assert stored == [f"{name}/{t}:0" for t in tensors], stored
            return [f[name][w][...].astype(np.float64) for w in stored]
        erf = np.vectorize(math.erf)
        ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
                       "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "gelu": lambda z: 0.5 * z * (1 + erf(z / math.sqrt(2))),
                       "silu": lambda z: z / (1.0 + np.exp(-z)),
                       "softmax": lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)}
        with h5py.File(data, "r") as d:
            X = d["test/x"][...].astype(np.float64)
        def Input(shape):
            assert shape == (X.shape[1],), shape
            return X
        class Dense:
            def __init__(self, units, activation=None):
                self.kernel, self.bias = take("dense", "kernel", "bias")
                assert self.kernel.shape[1] == units
                self.activation = ACTIVATIONS[activation]
            def __call__(self, h):
                return self.activation(h @ self.kernel + self.bias)
        class LayerNormalization:  # over the features, biased variance
            def __init__(self, epsilon):
                self.gamma, self.beta, self.eps = *take("layer_normalization", "gamma", "beta"), epsilon
            def __call__(self, h):
                mean, var = h.mean(1, keepdims=True), h.var(1, keepdims=True)
                return (h - mean) / np.sqrt(var + self.eps) * self.gamma + self.beta
        class BatchNormalization:  # at prediction, the moving statistics
            def __init__(self, momentum, epsilon):
                self.gamma, self.beta, self.mean, self.var = take("batch_normalization", "gamma", "beta", "moving_mean",
                                                                  "moving_variance")
                self.eps = epsilon
            def __call__(self, h):
                return (h - self.mean) / np.sqrt(self.var + self.eps) * self.gamma + self.beta
        class Activation:
            def __init__(self, activation):
                self.activation = ACTIVATIONS[activation]
            def __call__(self, h):
                return self.activation(h)
        class Dropout:
            def __init__(self, rate):
                pass
            def __call__(self, h):
                return h
        class Add:
            def __call__(self, inputs):
                a, b = inputs
                return a + b
        class Model:
            def __init__(self, inputs, outputs):
                self.outputs = outputs
            def load_weights(self, path):
                assert path == weights and next(groups, None) is None, "every group of the file fills a layer"
        lines = program.splitlines()
        assert lines[0] == "from keras import Input, Model", lines[0]
        exec("\\n".join(lines[2:]))
        with h5py.File(predictions, "r") as p:
            expected = p[output][...]
        assert model.outputs.shape == expected.shape, (model.outputs.shape, expected.shape)
        print("max_abs_difference", float(np.abs(model.outputs - expected).max()))
        """

    @Test(arguments: [
        "dense(12),repeat(3,residual(layernorm,dense(12),relu))",
        "dense(12),batchnorm,gelu,residual(batchnorm,dense(6),silu,residual(tanh),dense(12)),dropout(0.1),dense(8),sigmoid",
    ])
    func functionalExportReproducesPredict(model: String) throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData(trainRows: 200, testRows: 50, features: 10, classes: 5).write(to: scratch.path("data.h5"))
        let modelPath = try trainModel(on: "data.h5", in: scratch, ["--epochs", "2", "--model", model])
        try spindleSucceeds(["predict", modelPath, "data.h5", "-o", "spindle.h5"], in: scratch)
        let export = try spindleSucceeds(["export", modelPath, "-o", "weights.h5"], in: scratch)
        // The program: the stderr lines after the first, indented by two, up to the comment.
        let program = export.stderrLines.dropFirst().map { String($0.dropFirst(2)) }.filter { !$0.hasPrefix("#") }
        #expect(program.contains("model = Model(inputs, outputs)") && program.last == "model.load_weights(\"weights.h5\")",
                "\(export.transcript)")
        #expect(program.contains { $0.hasPrefix("x = Add()([x, h") }, "\(export.transcript)")
        try program.joined(separator: "\n").write(toFile: scratch.path("program.py"), atomically: true, encoding: .utf8)

        let check = try python("sys.stdin = open('program.py')\n" + Self.functionalCheck, "weights.h5", "data.h5",
                               "spindle.h5", "probabilities", in: scratch)
        let line = try #require(check.stdoutLines.first { $0.hasPrefix("max_abs_difference") }, "\(check.transcript)")
        let difference = try #require(Double(line.split(separator: " ").last ?? ""), "\(line)")
        // Spindle computes in float32, the check in float64 from the same float32 weights.
        #expect(difference < 1e-5, "functional Keras forward pass vs spindle predict")
    }
}
