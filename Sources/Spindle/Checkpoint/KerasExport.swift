import Foundation
import HDF5Kit

/// A network's weights in the HDF5 layout of Keras 2's `model.save_weights("x.h5")`, which
/// `model.load_weights("x.h5")` reads into the equivalent Keras model (``kerasModel(_:scaling:)``: a
/// Sequential, or a functional model for residual blocks).
/// Layout, documented for users in docs/model-format.md ("Exporting to Keras"):
///
///     /                        attrs: layer_names = [b"dense", b"dense_1", …],
///                                     backend = b"tensorflow", keras_version = b"2.15.0"
///     /dense_<l>               attrs: weight_names = [b"dense_<l>/kernel:0", b"dense_<l>/bias:0"]
///     /dense_<l>/dense_<l>/kernel:0   (I, O) float32 — the transpose of Spindle's (O, I) weight
///     /dense_<l>/dense_<l>/bias:0     (O) float32
///
///     /conv2d[_k]/conv2d[_k]/kernel:0  (K, K, C_in, C) float32 — Spindle's (C, C_in, K, K) weight
///     /conv2d[_k]/conv2d[_k]/bias:0    (C) float32                   moved to Keras's axes
///     /layer_normalization[_k]/…/gamma:0, beta:0                      (N) float32 — a layernorm
///     /batch_normalization[_k]/…/gamma:0, beta:0, moving_mean:0, moving_variance:0  — a batchnorm
///
/// Keras's images are channels-last: a `Flatten` lists (H, W, C) where Spindle's lists (C, H, W),
/// so the dense layer after it (and any norm between) gets its weight columns in Keras's order
/// (KerasExport+Layouts.swift), and the Keras model takes images (H, W, C).
///
/// (layer 0 is named plain "dense", as Keras names its first Dense layer.) Every string attribute
/// is a fixed-length byte string, as Keras writes them; its loader decodes bytes or str alike.
///
/// Keras loads an .h5 weights file by position, not by name: the l-th group that has weights
/// goes into the l-th layer of the model that has weights. Layers without weights (Dropout,
/// Input, Add) take no part, so the model may include Dropout layers or not. A model with
/// residual blocks loads into a functional model (`KerasExport+Model.swift`), whose layers
/// Keras lists in the order they were made: the order of the groups here.
public enum KerasExport {
    /// The Keras version recorded in the file; the loader only reads it to convert weights of
    /// Keras 1 files, which these are not.
    public static let kerasVersion = "2.15.0"
    public static let backend = "tensorflow"

    /// The Keras name of dense layer `l`: "dense", "dense_1", "dense_2", … — what a fresh Keras
    /// session calls the Dense layers of its first model.
    public static func layerName(_ l: Int) -> String { l == 0 ? "dense" : "dense_\(l)" }

    /// Writes `network`'s weights to `path` in the Keras layout above, atomically (temporary
    /// file, fsync, rename), replacing any file there.
    /// - Throws: `SpindleError.cannotWrite` when `path` is a directory or its directory is
    ///   missing or not writable; `SpindleError.invalidConfig` for a standardisation that
    ///   cannot fold into the first layer (`checkExpressible`); `HDF5Error` if HDF5 fails.
    public static func write(_ network: Network, to path: String) throws {
        let spec = network.spec
        try checkExpressible(spec, standardized: network.featureScaling != nil)
        if spec.inputShape != nil, let scaling = network.featureScaling, scaling.channels == nil {
            throw SpindleError.invalidConfig(
                setting: "format keras", found: "standardize",
                expected: "standardisation per channel for a model of images (a Normalization layer); this file's is per feature")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SpindleError.cannotWrite(path: path, reason: "it is a directory; expected a file name")
        }
        let groups = network.layout.groups
        let names = kerasNames(groups.map(\.kind))
        let flattened = flattenedInputs(spec)
        // A vector model's standardisation folds into its first dense layer; an image model's
        // is the Normalization layer `kerasModel` puts first.
        let folding = spec.inputShape == nil ? network.featureScaling : nil
        try AtomicFile.writeHDF5(to: path) { file in
            try file.setAttribute("layer_names", names, fixedLength: true)
            try file.setAttribute("backend", backend, fixedLength: true)
            try file.setAttribute("keras_version", kerasVersion, fixedLength: true)
            for (g, (group, name)) in zip(groups, names).enumerated() {
                // `flattenedInputs` numbers the top-level layers; a block's layers see no flatten.
                let order = group.path.count == 1 ? flattened[group.index] : nil
                var tensors: [(name: String, shape: [Int], values: [Float])]
                switch group.kind {
                case "dense", "conv":
                    let weight = group.tensor("weight")!, bias = group.tensor("bias")!
                    var w = network.values(weight), b = network.values(bias)
                    let outputs = weight.shape[0], inputs = weight.count / outputs
                    if g == 0, let folding { (w, b) = folded(folding, weights: w, biases: b, inputs: inputs) }
                    if let order { w = permutedColumns(w, rows: outputs, order: order) }
                    let kernel = group.kind == "conv"
                        ? (shape: [weight.shape[2], weight.shape[3], weight.shape[1], outputs], values: convKernel(w, shape: weight.shape))
                        : (shape: [inputs, outputs], values: transposed(w, rows: outputs, columns: inputs))
                    tensors = [("kernel", kernel.shape, kernel.values), ("bias", [outputs], b)]
                default:
                    // A norm: gamma, beta (and moving_mean, moving_variance) as Keras names them.
                    let renamed = ["weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
                                   "running_var": "moving_variance"]
                    tensors = group.tensors.map { tensor in
                        let values = network.values(tensor)
                        return (renamed[tensor.name]!, tensor.shape, order.map { permutedColumns(values, rows: 1, order: $0) } ?? values)
                    }
                }
                let h5 = try file.createGroup(name)
                let weightNames = tensors.map { "\(name)/\($0.name):0" }
                try h5.setAttribute("weight_names", weightNames, fixedLength: true)
                // Contiguous and unfiltered, as Keras writes them; `createDataset` makes the inner
                // group "<name>" that the names' "<name>/" prefix needs.
                for (tensor, weightName) in zip(tensors, weightNames) {
                    try h5.createDataset(weightName, type: .float32, shape: tensor.shape).write(tensor.values)
                }
            }
        }
    }

    /// Keras's names for the layers with weights, given their kinds in order: each class counts
    /// its own ("dense", "dense_1", "layer_normalization", "batch_normalization_1", …), as a
    /// fresh Keras session names the layers of its first model.
    static func kerasNames(_ kinds: [String]) -> [String] {
        var counts: [String: Int] = [:]
        return kinds.map { kind in
            let base = ["layernorm": "layer_normalization", "batchnorm": "batch_normalization", "conv": "conv2d"][kind] ?? "dense"
            let k = counts[base, default: 0]
            counts[base] = k + 1
            return k == 0 ? base : "\(base)_\(k)"
        }
    }

    /// Refuses a model this export cannot write: standardisation when a layer before the first
    /// dense layer (a norm, a residual block) would stop it folding into that layer's weights;
    /// a residual block between a `flatten` and the dense layer after it, whose features Keras
    /// holds in another order (its Flatten reads (H, W, C)) that the block's sum would carry on.
    /// (Residual blocks themselves export, as a functional model: `kerasModel(_:)`.)
    /// - Throws: `SpindleError.invalidConfig` naming the layer.
    public static func checkExpressible(_ spec: ModelSpec, standardized: Bool = false) throws {
        var flattened = false
        for layer in spec.layers {
            if case .flatten = layer { flattened = true }
            if layer.kind == "dense" { flattened = false }
            if flattened, case .residual = layer {
                throw SpindleError.invalidConfig(
                    setting: "format keras", found: layer.description,
                    expected: "a dense layer between flatten and a residual block: Keras flattens an image (H, W, C) " +
                        "where Spindle flattens (C, H, W), and only a dense layer's weights can take the difference")
            }
        }
        if standardized, spec.inputShape == nil,
           let first = spec.layers.first(where: { if case .dropout = $0 { return false }; return true }),
           !(first.kind == "dense") {
            throw SpindleError.invalidConfig(
                setting: "format keras", found: first.description,
                expected: "a dense layer first in a --standardize model, so the standardisation folds into its weights")
        }
    }
}
