/// The Keras model an export's weights load into, as Python source: `kerasModel(_:scaling:)`.
///
/// Keras works on images channels-last, (H, W, C), where Spindle's layers mean PyTorch's
/// (C, H, W); the layers themselves are the same (a `Conv2D` is a `conv`, a `MaxPooling2D` a
/// `maxpool`), the weights are laid out for Keras (KerasExport+Layouts.swift), and the Keras
/// model takes images channels-last.
extension KerasExport {
    /// One Keras layer: its class (for the import line) and its Python source.
    struct KerasLayer {
        var type: String
        var source: String
    }

    /// The Keras model these weights load into, as Python source, e.g.
    /// `Sequential([Input((784,)), Dense(512, activation="relu"), Dense(10, activation="softmax")])`:
    /// a dense or conv layer takes the activation right after it, other layers map one to one
    /// (Dropout, Activation, MaxPooling2D, …). The output layer applies softmax for a
    /// cross-entropy model and nothing for mse.
    /// - Parameter scaling: the network's standardisation; for an image model it becomes a
    ///   `Normalization` layer first (a vector model's folds into its first dense layer).
    public static func kerasModel(_ spec: ModelSpec, scaling: FeatureScaling? = nil) -> String {
        "Sequential([" + kerasLayers(spec, scaling: scaling).map(\.source).joined(separator: ", ") + "])"
    }

    /// The Keras layer classes `kerasModel` uses, for its import line: Dense, then the others the
    /// model has, in first-use order (`Input` comes from `keras` itself).
    public static func kerasLayerTypes(_ spec: ModelSpec, scaling: FeatureScaling? = nil) -> [String] {
        var types = ["Dense"]
        for layer in kerasLayers(spec, scaling: scaling).dropFirst() where !types.contains(layer.type) && layer.type != "#" {
            types.append(layer.type)
        }
        return types
    }

    static func kerasLayers(_ spec: ModelSpec, scaling: FeatureScaling?) -> [KerasLayer] {
        var layers: [KerasLayer] = []
        if let image = spec.inputShape {
            layers.append(KerasLayer(type: "Input", source: "Input((\(image.height), \(image.width), \(image.channels)))"))
            if let channels = scaling?.channels {
                // Keras's Normalization divides by √variance: the same deviations, squared.
                let mean = channels.mean.map { "\($0)" }.joined(separator: ", ")
                let variance = channels.std.map { "\($0 * $0)" }.joined(separator: ", ")
                layers.append(KerasLayer(type: "Normalization", source: "Normalization(mean=[\(mean)], variance=[\(variance)])"))
            }
        } else {
            layers.append(KerasLayer(type: "Input", source: "Input((\(spec.inputCount),))"))
        }
        var pending: KerasLayer? = nil  // a Dense or Conv2D whose activation may follow
        func flush(_ activation: String?) {
            guard var layer = pending else { return }
            layer.source += (activation.map { ", activation=\"\($0)\"" } ?? "") + ")"
            layers.append(layer)
            pending = nil
        }
        func add(_ type: String, _ arguments: String = "") {
            flush(nil)
            layers.append(KerasLayer(type: type, source: "\(type)(\(arguments))"))
        }
        for layer in spec.layers {
            switch layer {
            case let .dense(units, _):
                flush(nil)
                pending = KerasLayer(type: "Dense", source: "Dense(\(units)")
            case let .conv(channels, kernel, stride, padding, _):
                flush(nil)
                // "same" pads (K − 1)/2 on every side only for stride 1 and an odd K; any other
                // padding is a ZeroPadding2D before a "valid" convolution, exactly as PyTorch pads.
                let same = padding > 0 && stride == 1 && kernel == 2 * padding + 1
                if padding > 0 && !same { add("ZeroPadding2D", "\(padding)") }
                pending = KerasLayer(type: "Conv2D", source: "Conv2D(\(channels), \(kernel)" +
                                     (stride == 1 ? "" : ", strides=\(stride)") + (same ? ", padding=\"same\"" : ""))
            case let .activation(activation) where pending != nil:
                flush(activation.rawValue)
            case let .activation(activation):
                add("Activation", "\"\(activation.rawValue)\"")
            case let .dropout(p):
                add("Dropout", "\(p)")
            case let .leakyRelu(slope):
                // Keras's Dense takes only named activations; LeakyReLU is a layer of its own.
                add("LeakyReLU", "\(slope)")
            case .layerNorm:
                add("LayerNormalization", "epsilon=1e-05")
            case .batchNorm:
                // Keras's momentum is the running statistics' weight on their old value: 1 − 0.1.
                // On an image it normalises the last axis, the channels, as BatchNorm2d does.
                add("BatchNormalization", "momentum=0.9, epsilon=1e-05")
            case let .maxPool(kernel, stride):
                add("MaxPooling2D", "\(kernel)" + (stride == kernel ? "" : ", strides=\(stride)"))
            case let .avgPool(kernel, stride):
                add("AveragePooling2D", "\(kernel)" + (stride == kernel ? "" : ", strides=\(stride)"))
            case .globalAvgPool:
                add("GlobalAveragePooling2D")
            case .flatten:
                add("Flatten")
            case .residual:
                // `checkExpressible` refuses blocks before any weights are written.
                flush(nil)
                layers.append(KerasLayer(type: "#", source: "# \(layer) has no Sequential form"))
            }
        }
        flush(nil)
        pending = KerasLayer(type: "Dense", source: "Dense(\(spec.outputCount)")
        flush(spec.loss == .crossEntropy ? "softmax" : nil)
        return layers
    }
}
