import Foundation
import HDF5Kit

/// A network's weights in the HDF5 layout of Keras 2's `model.save_weights("x.h5")`, which
/// `model.load_weights("x.h5")` reads into the equivalent Sequential model (``kerasModel(_:)``).
/// Layout, documented for users in docs/model-format.md ("Exporting to Keras"):
///
///     /                        attrs: layer_names = [b"dense", b"dense_1", …],
///                                     backend = b"tensorflow", keras_version = b"2.15.0"
///     /dense_<l>               attrs: weight_names = [b"dense_<l>/kernel:0", b"dense_<l>/bias:0"]
///     /dense_<l>/dense_<l>/kernel:0   (I, O) float32 — the transpose of Spindle's (O, I) weight
///     /dense_<l>/dense_<l>/bias:0     (O) float32
///
///     /layer_normalization[_k]/…/gamma:0, beta:0                      (N) float32 — a layernorm
///     /batch_normalization[_k]/…/gamma:0, beta:0, moving_mean:0, moving_variance:0  — a batchnorm
///
/// (layer 0 is named plain "dense", as Keras names its first Dense layer.) Every string attribute
/// is a fixed-length byte string, as Keras writes them; its loader decodes bytes or str alike.
///
/// Keras loads an .h5 weights file by position, not by name: the l-th group that has weights
/// goes into the l-th layer of the model that has weights. Layers without weights (Dropout,
/// Input) take no part, so the model may include Dropout layers or not.
public enum KerasExport {
    /// The Keras version recorded in the file; the loader only reads it to convert weights of
    /// Keras 1 files, which these are not.
    public static let kerasVersion = "2.15.0"
    public static let backend = "tensorflow"

    /// The Keras name of dense layer `l`: "dense", "dense_1", "dense_2", … — what a fresh Keras
    /// session calls the Dense layers of its first model.
    public static func layerName(_ l: Int) -> String { l == 0 ? "dense" : "dense_\(l)" }

    /// The Keras model these weights load into, as Python source, e.g.
    /// `Sequential([Input((784,)), Dense(512, activation="relu"), Dense(10, activation="softmax")])`:
    /// a dense layer takes the activation right after it, other layers map one to one (Dropout,
    /// Activation). The output layer applies softmax for a cross-entropy model and nothing for mse.
    public static func kerasModel(_ spec: ModelSpec) -> String {
        var layers = ["Input((\(spec.inputCount),))"]
        var pending: Int? = nil  // a Dense whose activation may follow
        func flush(_ activation: String?) {
            guard let units = pending else { return }
            layers.append("Dense(\(units)" + (activation.map { ", activation=\"\($0)\"" } ?? "") + ")")
            pending = nil
        }
        for layer in spec.layers {
            switch layer {
            case let .dense(units, _):
                flush(nil)
                pending = units
            case let .activation(activation) where pending != nil:
                flush(activation.rawValue)
            case let .activation(activation):
                layers.append("Activation(\"\(activation.rawValue)\")")
            case let .dropout(p):
                flush(nil)
                layers.append("Dropout(\(p))")
            case let .leakyRelu(slope):
                // Keras's Dense takes only named activations; LeakyReLU is a layer of its own.
                flush(nil)
                layers.append("LeakyReLU(\(slope))")
            case .layerNorm:
                flush(nil)
                layers.append("LayerNormalization(epsilon=1e-05)")
            case .batchNorm:
                // Keras's momentum is the running statistics' weight on their old value: 1 − 0.1.
                flush(nil)
                layers.append("BatchNormalization(momentum=0.9, epsilon=1e-05)")
            case .residual, .conv, .maxPool, .avgPool, .globalAvgPool, .flatten:
                // `checkExpressible` refuses these before any weights are written.
                flush(nil)
                layers.append("# \(layer) has no Sequential form")
            }
        }
        flush(nil)
        pending = spec.outputCount
        flush(spec.loss == .crossEntropy ? "softmax" : nil)
        return "Sequential([" + layers.joined(separator: ", ") + "])"
    }

    /// The Keras layer classes `kerasModel(_:)` uses, for its import line: Dense, then the
    /// others the model has.
    public static func kerasLayerTypes(_ spec: ModelSpec) -> [String] {
        let model = kerasModel(spec)
        return ["Dense"] + ["Dropout", "Activation", "LeakyReLU", "LayerNormalization", "BatchNormalization"]
            .filter { model.contains("\($0)(") }
    }

    /// Writes `network`'s weights to `path` in the Keras layout above, atomically (temporary
    /// file, fsync, rename), replacing any file there.
    /// - Throws: `SpindleError.cannotWrite` when `path` is a directory or its directory is
    ///   missing or not writable; `SpindleError.invalidConfig` for a model Keras's Sequential
    ///   cannot express (`checkExpressible`); `HDF5Error` if HDF5 fails.
    public static func write(_ network: Network, to path: String) throws {
        try checkExpressible(network.spec, standardized: network.featureScaling != nil)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SpindleError.cannotWrite(path: path, reason: "it is a directory; expected a file name")
        }
        let layers = network.layout.denseLayers
        let groups = network.layout.groups
        let names = kerasNames(groups.map(\.kind))
        try AtomicFile.writeHDF5(to: path) { file in
            try file.setAttribute("layer_names", names, fixedLength: true)
            try file.setAttribute("backend", backend, fixedLength: true)
            try file.setAttribute("keras_version", kerasVersion, fixedLength: true)
            for (group, name) in zip(groups, names) where group.kind != "dense" {
                // A norm: gamma, beta (and moving_mean, moving_variance) as Keras names them.
                let h5 = try file.createGroup(name)
                let renamed = ["weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"]
                let weightNames = group.tensors.map { "\(name)/\(renamed[$0.name]!):0" }
                try h5.setAttribute("weight_names", weightNames, fixedLength: true)
                for (tensor, weightName) in zip(group.tensors, weightNames) {
                    try h5.createDataset(weightName, type: .float32, shape: tensor.shape).write(network.values(tensor))
                }
            }
            let denseNames = zip(groups, names).filter { $0.0.kind == "dense" }.map(\.1)
            for (l, layer) in layers.enumerated() {
                let name = denseNames[l], outputs = layer.outputs, inputs = layer.inputs
                let h5 = try file.createGroup(name)
                let kernelName = "\(name)/kernel:0", biasName = "\(name)/bias:0"
                try h5.setAttribute("weight_names", [kernelName, biasName], fixedLength: true)
                // Contiguous and unfiltered, as Keras writes them; `createDataset` makes the inner
                // group "dense_<l>" that the names' "dense_<l>/" prefix needs.
                var weights = network.weights(layer: l), biases = network.biases(layer: l)
                if l == 0, let scaling = network.featureScaling {
                    (weights, biases) = folded(scaling, weights: weights, biases: biases, inputs: inputs)
                }
                let kernel = transposed(weights, rows: outputs, columns: inputs)
                try h5.createDataset(kernelName, type: .float32, shape: [inputs, outputs]).write(kernel)
                try h5.createDataset(biasName, type: .float32, shape: [outputs]).write(biases)
            }
        }
    }

    /// Keras's names for the layers with weights, given their kinds in order: each class counts
    /// its own ("dense", "dense_1", "layer_normalization", "batch_normalization_1", …), as a
    /// fresh Keras session names the layers of its first model.
    static func kerasNames(_ kinds: [String]) -> [String] {
        var counts: [String: Int] = [:]
        return kinds.map { kind in
            let base = ["layernorm": "layer_normalization", "batchnorm": "batch_normalization"][kind] ?? "dense"
            let k = counts[base, default: 0]
            counts[base] = k + 1
            return k == 0 ? base : "\(base)_\(k)"
        }
    }

    /// Refuses a model this export cannot write as a Keras Sequential: a residual block (a
    /// Sequential has no skip connections), or standardisation when a layer before the first
    /// dense layer (a norm) would stop it folding into that layer's weights.
    /// - Throws: `SpindleError.invalidConfig` naming the layer.
    public static func checkExpressible(_ spec: ModelSpec, standardized: Bool = false) throws {
        for layer in spec.layers {
            switch layer {
            case .residual:
                throw SpindleError.invalidConfig(
                    setting: "format keras", found: layer.description,
                    expected: "layers a Keras Sequential can express; a residual block (x + body(x)) needs the functional API")
            case .conv, .maxPool, .avgPool, .globalAvgPool, .flatten:
                throw SpindleError.invalidConfig(
                    setting: "format keras", found: layer.description,
                    expected: "dense layers, norms and activations; image layers are not exported to Keras yet")
            default: continue
            }
        }
        if standardized, let first = spec.layers.first(where: { if case .dropout = $0 { return false }; return true }),
           !(first.kind == "dense") {
            throw SpindleError.invalidConfig(
                setting: "format keras", found: first.description,
                expected: "a dense layer first in a --standardize model, so the standardisation folds into its weights")
        }
    }

    /// The transpose of a row-major (rows, columns) matrix, as a row-major (columns, rows) one:
    /// Spindle's weight W (O, I) computes x · Wᵀ, Keras' kernel K (I, O) computes x · K, so K = Wᵀ.
    /// The first layer with the standardisation folded in, so that Keras, which has no such step
    /// in this model, computes the same thing: W·((x − m)/s) + b = (W/s)·x + (b − (W/s)·m), with
    /// W (outputs, inputs) row-major and the division per input column.
    static func folded(_ scaling: FeatureScaling, weights: [Float], biases: [Float],
                       inputs: Int) -> (weights: [Float], biases: [Float]) {
        var w = weights, b = biases
        for o in 0..<biases.count {
            var shift = 0.0
            for i in 0..<inputs {
                w[o * inputs + i] /= scaling.std[i]
                shift += Double(w[o * inputs + i]) * Double(scaling.mean[i])
            }
            b[o] = Float(Double(b[o]) - shift)
        }
        return (w, b)
    }

    static func transposed(_ matrix: [Float], rows: Int, columns: Int) -> [Float] {
        precondition(matrix.count == rows * columns, "KerasExport: matrix is not \(rows)×\(columns)")
        var result = [Float](repeating: 0, count: matrix.count)
        for r in 0..<rows {
            for c in 0..<columns { result[c * rows + r] = matrix[r * columns + c] }
        }
        return result
    }
}
