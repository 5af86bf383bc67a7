import Foundation
import SpindleTestSupport
import Testing

/// `spindle export --format keras` of convolutional models: Conv2D kernels (K, K, C_in, C),
/// pools, Flatten in Keras's channels-last order, Normalization for per-channel standardisation.
/// Checked two ways: a NumPy forward pass that works as Keras does (channels-last images, the
/// weights taken by position from the file, each layer a stand-in of Keras's own) reproduces
/// `spindle predict`; and, where a Python with Keras is named by SPINDLE_KERAS_PYTHON (e.g. a
/// venv with `pip install keras` and a backend), Keras itself loads the file into the printed
/// model and predicts the same.
@Suite struct ImageExportTests {
    /// Loads the exported weights into the printed model and predicts the dataset's /test/x,
    /// channels-last. `LAYERS` are the layer classes the model is built of.
    static let prelude = """
        weights, model_path, data, predictions, output, source = sys.argv[1:7]
        with h5py.File(model_path, "r") as f:
            shape = [int(d) for d in f["model"].attrs["input_shape"]]
            layout = f["model"].attrs.get("input_layout", "channels_first")
        with h5py.File(data, "r") as f:
            x = f["test/x"][...]
        h = x / 255.0 if x.dtype == np.uint8 else x.astype(np.float64)
        c, height, width = shape
        if layout == "channels_first":
            h = h.reshape(-1, c, height, width).transpose(0, 2, 3, 1)  # Keras takes (N, H, W, C)
        else:
            h = h.reshape(-1, height, width, c)
        with h5py.File(predictions, "r") as f:
            expected = f[output][...]

        """

    /// NumPy stand-ins of the Keras layers the export uses, channels-last, taking the weights of
    /// the file's layers in order as Keras's legacy loader does.
    static let numpyKeras = prelude + """
        def softmax(z):
            z = np.exp(z - z.max(axis=-1, keepdims=True))
            return z / z.sum(axis=-1, keepdims=True)
        ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
                       "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "softmax": softmax}
        def windows(h, k, s):  # (N, Ho, Wo, k, k, C): every k×k window moved by s
            n, hh, ww, c = h.shape
            ho, wo = (hh - k) // s + 1, (ww - k) // s + 1
            out = np.empty((n, ho, wo, k, k, c))
            for ky in range(k):
                for kx in range(k):
                    out[:, :, :, ky, kx, :] = h[:, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s, :]
            return out
        class Layer:
            weights = 0
            def __call__(self, h):
                return self.call(h)
        class Input(Layer):
            def __init__(self, shape):
                self.shape = shape
        class Conv2D(Layer):
            weights = 2
            def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None):
                self.filters, self.k, self.s, self.padding = filters, kernel_size, strides, padding
                self.activation = ACTIVATIONS[activation]
            def call(self, h):
                if self.padding == "same":  # stride 1, odd k: (k - 1) / 2 zeros on every side
                    p = (self.k - 1) // 2
                    h = np.pad(h, ((0, 0), (p, p), (p, p), (0, 0)))
                kernel, bias = self.values
                assert kernel.shape[:2] == (self.k, self.k) and kernel.shape[3] == self.filters, kernel.shape
                z = np.einsum("nyxabc,abcf->nyxf", windows(h, self.k, self.s), kernel) + bias
                return self.activation(z)
        class ZeroPadding2D(Layer):
            def __init__(self, padding):
                self.p = padding
            def call(self, h):
                return np.pad(h, ((0, 0), (self.p, self.p), (self.p, self.p), (0, 0)))
        class MaxPooling2D(Layer):
            def __init__(self, pool_size, strides=None):
                self.k, self.s = pool_size, strides or pool_size
            def call(self, h):
                return windows(h, self.k, self.s).max(axis=(3, 4))
        class AveragePooling2D(MaxPooling2D):
            def call(self, h):
                return windows(h, self.k, self.s).mean(axis=(3, 4))
        class GlobalAveragePooling2D(Layer):
            def call(self, h):
                return h.mean(axis=(1, 2))
        class Flatten(Layer):
            def call(self, h):
                return h.reshape(h.shape[0], -1)  # Keras's order: (H, W, C)
        class Normalization(Layer):
            def __init__(self, mean, variance):
                self.mean, self.variance = np.array(mean), np.array(variance)
            def call(self, h):
                return (h - self.mean) / np.sqrt(self.variance)
        class Dense(Layer):
            weights = 2
            def __init__(self, units, activation=None):
                self.units, self.activation = units, ACTIVATIONS[activation]
            def call(self, h):
                kernel, bias = self.values
                assert kernel.shape[1] == self.units, (kernel.shape, self.units)
                return self.activation(h @ kernel + bias)
        class Dropout(Layer):
            def __init__(self, rate):
                pass
            def call(self, h):
                return h
        class Activation(Layer):
            def __init__(self, activation):
                self.activation = ACTIVATIONS[activation]
            def call(self, h):
                return self.activation(h)
        class LayerNormalization(Layer):
            weights = 2
            def __init__(self, epsilon):
                self.epsilon = epsilon
            def call(self, h):
                gamma, beta = self.values
                return (h - h.mean(axis=-1, keepdims=True)) / np.sqrt(h.var(axis=-1, keepdims=True) + self.epsilon) * gamma + beta
        def Sequential(stack):
            return stack
        stack = eval(source)
        assert isinstance(stack[0], Input) and tuple(stack[0].shape) == h.shape[1:], (stack[0].shape, h.shape)
        with h5py.File(weights, "r") as f:
            names = [n.decode("utf8") for n in f.attrs["layer_names"]]
            values = []
            for name in names:
                weight_names = [w.decode("utf8") for w in f[name].attrs["weight_names"]]
                values.append([f[name][w][...].astype(np.float64) for w in weight_names])
        with_weights = [layer for layer in stack if layer.weights]
        assert [type(layer).__name__ for layer in with_weights] == [
            {"conv2d": "Conv2D", "dense": "Dense", "layer_normalization": "LayerNormalization"}[n.rsplit("_", 1)[0] if n[-1].isdigit() else n]
            for n in names], (names, with_weights)
        for layer, v in zip(with_weights, values):  # by position, as Keras loads .h5 weights
            assert len(v) == layer.weights
            layer.values = v
        for layer in stack[1:]:
            h = layer(h)
        assert h.shape == expected.shape, (h.shape, expected.shape)
        print("max_abs_difference", float(np.abs(h - expected).max()))
        """

    /// Keras itself: the printed model, `load_weights`, `predict`.
    static let realKeras = prelude + """
        from keras import Input, Sequential
        from keras.layers import *
        model = eval(source)
        model.load_weights(weights)
        ours = model.predict(h.astype(np.float32), verbose=0)
        assert ours.shape == expected.shape, (ours.shape, expected.shape)
        print("max_abs_difference", float(np.abs(ours - expected).max()))
        """

    struct ModelCase: Sendable, CustomTestStringConvertible {
        /// The training data: (C, H, W) images, stored channels-first or -last.
        var image: [Int]
        var channelsLast = false
        var options: [String]
        var output = "probabilities"
        var keras: String
        var testDescription: String { options.joined(separator: " ") }
    }

    static let cases = [
        // "same" padding, a strided "valid" conv, and the dense after Flatten in Keras's order.
        ModelCase(image: [3, 10, 12], options: ["--model", "conv(4,3,pad=1),relu,maxpool(2),conv(6,3,stride=2),relu,flatten,dense(8),relu"],
                  keras: #"Sequential([Input((10, 12, 3)), Conv2D(4, 3, padding="same", activation="relu"), MaxPooling2D(2), "#
                      + #"Conv2D(6, 3, strides=2, activation="relu"), Flatten(), Dense(8, activation="relu"), "#
                      + #"Dense(3, activation="softmax")])"#),
        // Padding "same" cannot say (K = 5, P = 1); pools with their own stride; a layernorm
        // between Flatten and the dense layer, permuted like it; regression.
        ModelCase(image: [2, 9, 9], channelsLast: true,
                  options: ["--model", "conv(3,5,pad=1),tanh,avgpool(2,stride=1),maxpool(3,stride=2),flatten,dropout(0.1),layernorm,dense(5)",
                            "--loss", "mse", "--optimizer", "sgd", "--lr", "0.05"], output: "outputs",
                  keras: #"Sequential([Input((9, 9, 2)), ZeroPadding2D(1), Conv2D(3, 5, activation="tanh"), "#
                      + #"AveragePooling2D(2, strides=1), MaxPooling2D(3, strides=2), Flatten(), Dropout(0.1), "#
                      + #"LayerNormalization(epsilon=1e-05), Dense(5), Dense(3)])"#),
    ]

    /// The standardised case's Keras model has the statistics in it: checked apart, its numbers
    /// being the data's.
    static let standardized = ModelCase(image: [2, 6, 7], options: ["--model", "conv(4,3),relu,globalavgpool", "--standardize"],
                                        keras: "")

    /// Trains `model` on its images, predicts, exports; returns the export's stderr.
    static func export(_ model: ModelCase, in scratch: TemporaryDirectory) throws -> String {
        let (c, h, w) = (model.image[0], model.image[1], model.image[2])
        var data = SyntheticData(trainRows: 150, testRows: 40, features: c * h * w, classes: 3)
        data.sampleShape = model.channelsLast ? [h, w, c] : [c, h, w]
        try data.write(to: scratch.path("data.h5"))
        let modelPath = try trainModel(on: "data.h5", in: scratch, ["--epochs", "1", "--max-steps", "20", "--batch-size", "32"]
                                       + (model.channelsLast ? ["--channels-last"] : []) + model.options)
        try spindleSucceeds(["predict", modelPath, "data.h5", "-o", "spindle.h5"], in: scratch)
        let export = try spindleSucceeds(["export", modelPath, "--format", "keras", "-o", "weights.h5"], in: scratch)
        #expect(export.stdout.isEmpty, "\(export.transcript)")
        return export.stderr
    }

    static func difference(_ result: ProcessResult) throws -> Double {
        let line = try #require(result.stdoutLines.first { $0.hasPrefix("max_abs_difference") }, "\(result.transcript)")
        return try #require(Double(line.split(separator: " ").last ?? ""), "\(line)")
    }

    @Test(arguments: cases)
    func keraslayoutReproducesPredict(_ model: ModelCase) throws {
        let scratch = try TemporaryDirectory()
        let stderr = try Self.export(model, in: scratch)
        #expect(stderr.contains("model = \(model.keras)\n"), "\(stderr)")
        let check = try python(Self.numpyKeras, "weights.h5", "model/model.h5", "data.h5", "spindle.h5", model.output,
                               model.keras, in: scratch)
        // Spindle computes in float32, the check in float64 from the same float32 weights.
        #expect(try Self.difference(check) < 1e-5, "Keras-layout forward pass vs spindle predict")
    }

    @Test func perChannelStandardisationIsANormalizationLayer() throws {
        let scratch = try TemporaryDirectory()
        let stderr = try Self.export(Self.standardized, in: scratch)
        let line = try #require(stderr.split(separator: "\n").first { $0.hasPrefix("  model = ") }, "\(stderr)")
        let source = String(line.dropFirst("  model = ".count))
        #expect(source.hasPrefix("Sequential([Input((6, 7, 2)), Normalization(mean=["), "\(source)")
        #expect(source.hasSuffix(#"Conv2D(4, 3, activation="relu"), GlobalAveragePooling2D(), Dense(3, activation="softmax")])"#),
                "\(source)")
        #expect(stderr.contains("from keras.layers import Dense, Normalization, Conv2D, GlobalAveragePooling2D\n"), "\(stderr)")
        #expect(stderr.contains(".transpose(0, 2, 3, 1)"), "how to feed channels-first images: \(stderr)")
        // The statistics are the model file's, per channel, as Keras's variance.
        try python("""
            import re
            source = sys.argv[1]
            mean = [float(v) for v in re.search(r"mean=\\[([^]]*)\\]", source).group(1).split(", ")]
            variance = [float(v) for v in re.search(r"variance=\\[([^]]*)\\]", source).group(1).split(", ")]
            with h5py.File("model/model.h5", "r") as f:
                assert np.allclose(mean, f["model/standardize/mean"][...], rtol=0, atol=1e-7), mean
                assert np.allclose(variance, f["model/standardize/std"][...] ** 2, rtol=1e-6), variance
            """, source, in: scratch)
        let check = try python(Self.numpyKeras, "weights.h5", "model/model.h5", "data.h5", "spindle.h5", "probabilities",
                               source, in: scratch)
        #expect(try Self.difference(check) < 1e-5, "Keras-layout forward pass vs spindle predict")
    }

    /// Keras itself, when a Python with Keras is at hand (SPINDLE_KERAS_PYTHON; KERAS_BACKEND
    /// picks its backend).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SPINDLE_KERAS_PYTHON"] != nil,
                   "SPINDLE_KERAS_PYTHON names no Python with Keras"),
          arguments: cases + [standardized])
    func kerasLoadsTheExportAndPredictsTheSame(_ model: ModelCase) throws {
        let scratch = try TemporaryDirectory()
        let stderr = try Self.export(model, in: scratch)
        let line = try #require(stderr.split(separator: "\n").first { $0.hasPrefix("  model = ") }, "\(stderr)")
        let keras = try #require(ProcessInfo.processInfo.environment["SPINDLE_KERAS_PYTHON"])
        let result = try runProcess(URL(fileURLWithPath: keras),
                                    ["-c", "import sys\nimport h5py\nimport numpy as np\n" + Self.realKeras,
                                     "weights.h5", "model/model.h5", "data.h5", "spindle.h5", model.output,
                                     String(line.dropFirst("  model = ".count))],
                                    in: scratch.url, timeout: 300)
        #expect(result.status == 0, "\(result.transcript)")
        // Both in float32, summing in their own orders.
        #expect(try Self.difference(result) < 1e-4, "Keras's predictions vs spindle predict")
    }
}
