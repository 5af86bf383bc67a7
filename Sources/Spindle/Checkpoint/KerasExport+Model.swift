/// The Keras model an export's weights load into, as Python source: `kerasModel(_:scaling:)`.
///
/// A dense or conv layer takes the activation right after it (`Dense(512, activation="relu")`),
/// other layers map one to one (Dropout, Activation, LeakyReLU, LayerNormalization,
/// BatchNormalization, MaxPooling2D, …), and the output layer applies softmax for a
/// cross-entropy model and nothing for mse. A model without residual blocks is a `Sequential`;
/// one with them, which a Sequential cannot express, is a functional model, each block
/// `x + body(x)` an `Add`:
///
///     inputs = Input((784,))
///     x = Dense(128)(inputs)
///     h = LayerNormalization(epsilon=1e-05)(x)
///     h = Dense(128, activation="relu")(h)
///     x = Add()([x, h])
///     outputs = Dense(10, activation="softmax")(x)
///     model = Model(inputs, outputs)
///
/// Keras loads .h5 weights by position into the layers with weights, in the order
/// `model.layers` lists them: for a functional model, by depth from the input, which here is the
/// order the lines make them (every layer lies on the one longest path from input to output, so
/// no two share a depth) — the model file's group order, which is the order the export writes.
///
/// Keras works on images channels-last, (H, W, C), where Spindle's layers mean PyTorch's
/// (C, H, W); the layers themselves are the same (a `Conv2D` is a `conv`, a `MaxPooling2D` a
/// `maxpool`), the weights are laid out for Keras (KerasExport+Layouts.swift), and the Keras
/// model takes images channels-last.
extension KerasExport {
    /// One Keras layer: its class (for the import line) and its constructor call.
    struct KerasLayer: Equatable {
        var type: String
        var call: String
    }

    /// A Keras layer, or a residual block of them.
    enum Item: Equatable {
        case layer(KerasLayer)
        case block([Item])
    }

    /// The Keras layers of `list`, a dense or conv layer fused with the activation right after it
    /// (never across a block's ends, as `LayerPlan` fuses).
    static func items(_ list: [LayerSpec]) -> [Item] {
        var items: [Item] = []
        var pending: KerasLayer? = nil  // a Dense or Conv2D whose activation may follow
        func flush(_ activation: String?) {
            guard var layer = pending else { return }
            layer.call += (activation.map { ", activation=\"\($0)\"" } ?? "") + ")"
            items.append(.layer(layer))
            pending = nil
        }
        func add(_ type: String, _ arguments: String = "") {
            flush(nil)
            items.append(.layer(KerasLayer(type: type, call: "\(type)(\(arguments))")))
        }
        for layer in list {
            switch layer {
            case let .dense(units, _):
                flush(nil)
                pending = KerasLayer(type: "Dense", call: "Dense(\(units)")
            case let .conv(channels, kernel, stride, padding, _):
                flush(nil)
                // "same" pads (K − 1)/2 on every side only for stride 1 and an odd K; any other
                // padding is a ZeroPadding2D before a "valid" convolution, exactly as PyTorch pads.
                let same = padding > 0 && stride == 1 && kernel == 2 * padding + 1
                if padding > 0 && !same { add("ZeroPadding2D", "\(padding)") }
                pending = KerasLayer(type: "Conv2D", call: "Conv2D(\(channels), \(kernel)" +
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
            case let .residual(body):
                flush(nil)
                items.append(.block(self.items(body)))
            }
        }
        flush(nil)
        return items
    }

    /// The layers before the first of the model's own: the input, then for an image model with
    /// standardisation a `Normalization` (a vector model's folds into its first dense layer).
    static func inputLayers(_ spec: ModelSpec, scaling: FeatureScaling?) -> [KerasLayer] {
        guard let image = spec.inputShape else {
            return [KerasLayer(type: "Input", call: "Input((\(spec.inputCount),))")]
        }
        var layers = [KerasLayer(type: "Input", call: "Input((\(image.height), \(image.width), \(image.channels)))")]
        if let channels = scaling?.channels {
            // Keras's Normalization divides by √variance: the same deviations, squared.
            let mean = channels.mean.map { "\($0)" }.joined(separator: ", ")
            let variance = channels.std.map { "\($0 * $0)" }.joined(separator: ", ")
            layers.append(KerasLayer(type: "Normalization", call: "Normalization(mean=[\(mean)], variance=[\(variance)])"))
        }
        return layers
    }

    /// The output layer: softmax for cross-entropy, none for mse.
    static func outputLayer(_ spec: ModelSpec) -> KerasLayer {
        KerasLayer(type: "Dense", call: "Dense(\(spec.outputCount)" + (spec.loss == .crossEntropy ? ", activation=\"softmax\"" : "") + ")")
    }

    static func hasBlocks(_ spec: ModelSpec) -> Bool {
        spec.layers.contains { if case .residual = $0 { return true }; return false }
    }

    /// The model's construction: one expression for a Sequential,
    /// `Sequential([Input((784,)), Dense(512, activation="relu"), Dense(10, activation="softmax")])`;
    /// for a model with residual blocks, the functional model's lines (above) joined by newlines,
    /// the last of them `model = Model(inputs, outputs)`.
    /// - Parameter scaling: the network's standardisation (`inputLayers`).
    public static func kerasModel(_ spec: ModelSpec, scaling: FeatureScaling? = nil) -> String {
        let inputs = inputLayers(spec, scaling: scaling)
        guard hasBlocks(spec) else {
            let layers = items(spec.layers).compactMap { item -> KerasLayer? in
                if case let .layer(layer) = item { return layer }
                return nil
            }
            return "Sequential([" + (inputs + layers + [outputLayer(spec)]).map(\.call).joined(separator: ", ") + "])"
        }
        var lines = ["inputs = \(inputs[0].call)"]
        /// Adds the lines of `items` applied to the tensor named `input`, each result named
        /// `target`; returns the name holding the last one. A block's body gets a name of its own
        /// ("h", then "h2" inside a block in a body, …) and ends in `target = Add()([in, body])`.
        func emit(_ items: [Item], input: String, target: String, depth: Int) -> String {
            var current = input
            for item in items {
                switch item {
                case let .layer(layer):
                    lines.append("\(target) = \(layer.call)(\(current))")
                case let .block(body):
                    let inner = emit(body, input: current, target: depth == 0 ? "h" : "h\(depth + 1)", depth: depth + 1)
                    lines.append("\(target) = Add()([\(current), \(inner)])")
                }
                current = target
            }
            return current
        }
        let first = inputs.dropFirst().map(Item.layer)
        let last = emit(first + items(spec.layers), input: "inputs", target: "x", depth: 0)
        lines.append("outputs = \(outputLayer(spec).call)(\(last))")
        lines.append("model = Model(inputs, outputs)")
        return lines.joined(separator: "\n")
    }

    /// The Keras layer classes `kerasModel` uses, for its import line: Dense, then the others
    /// the model has, in first-use order, and Add for a model with residual blocks (`Input`
    /// comes from `keras` itself).
    public static func kerasLayerTypes(_ spec: ModelSpec, scaling: FeatureScaling? = nil) -> [String] {
        var types = ["Dense"]
        func collect(_ items: [Item]) {
            for item in items {
                switch item {
                case let .layer(layer) where !types.contains(layer.type): types.append(layer.type)
                case .layer: continue
                case let .block(body): collect(body)
                }
            }
        }
        collect(inputLayers(spec, scaling: scaling).dropFirst().map(Item.layer) + items(spec.layers))
        return types + (hasBlocks(spec) ? ["Add"] : [])
    }

    /// A Python program that builds the Keras model and loads the weights exported to `path`:
    /// the imports, `kerasModel` (as `model = …` for a Sequential), `model.load_weights`.
    public static func kerasProgram(_ spec: ModelSpec, scaling: FeatureScaling? = nil, weights path: String) -> [String] {
        let model = kerasModel(spec, scaling: scaling)
        return ["from keras import Input, \(hasBlocks(spec) ? "Model" : "Sequential")",
                "from keras.layers import \(kerasLayerTypes(spec, scaling: scaling).joined(separator: ", "))"]
            + (hasBlocks(spec) ? model.split(separator: "\n").map(String.init) : ["model = \(model)"])
            + ["model.load_weights(\"\(path)\")"]
    }
}
