/// Turns a model's layer list into the layers the engine runs, placing their parameters in the
/// flat buffer. A dense or conv layer absorbs the activation right after it and a dropout right
/// after that (one pass over a tile instead of three); everything else runs as its own layer.
/// Images run channels-last (TensorShape); data that stores them channels-first with several
/// channels gets a first layer that reorders them.
///
/// A residual block is flattened: a fork (`ResidualForkLayer`), its body's layers planned like
/// any list (fusion never crosses the block's ends), and an add that closes it. Its body's
/// parameter groups are named inside the block's, mirroring PyTorch's nested `state_dict` keys
/// (`3.body.1.weight` ↔ `/model/03_residual/01_dense/weight`).
struct LayerPlan {
    /// The layers to run, in order; the last is the implicit output layer.
    let layers: [any Layer]
    let layout: ParameterLayout

    init(_ spec: ModelSpec) {
        var builder = Builder()
        let all = spec.allLayers
        var shape = spec.inputTensorShape
        if let image = shape.image, image.channels > 1, !spec.inputChannelsLast {
            builder.layers.append(ChannelsLastLayer(image: image))
        }
        shape = builder.plan(all, shape: shape, path: [], prefix: "", digits: ParameterLayout.digits(all.count))
        precondition(shape == .vector(spec.outputCount), "LayerPlan: the model ends at \(shape)")
        layers = builder.layers
        layout = ParameterLayout(groups: builder.groups, layerCount: all.count)
    }

    /// The first layer whose backward matters: the first with parameters. Layers before it need
    /// no gradient at all, and it needs none for its input.
    var firstTrained: Int { layers.firstIndex { $0.unitCount > 0 } ?? layers.count }

    /// The plan as it grows: layers, groups, the next free parameter offset and dropout ordinal.
    private struct Builder {
        var layers: [any Layer] = []
        var groups: [ParameterLayout.Group] = []
        var offset = 0, dropouts = 0

        /// Plans `list`, whose input has `shape` (`ModelSpec.validateShapes` has checked that
        /// every layer can take its input), and returns its output's shape. `path` and `prefix`
        /// locate the list: [] and "" for the model, [3] and "03_residual/" for the body of its
        /// layer 3.
        @discardableResult
        mutating func plan(_ list: [LayerSpec], shape input: TensorShape, path: [Int], prefix: String,
                           digits: Int) -> TensorShape {
            var shape = input, i = 0
            func group(_ index: Int, _ kind: String, _ tensors: [ParameterTensor]) {
                groups.append(.init(index: index, kind: kind, tensors: tensors, path: path + [index], enclosing: prefix,
                                    bodyDigits: digits))
            }
            while i < list.count {
                let width = shape.count
                switch list[i] {
                case let .dense(units, _):
                    let (activation, dropout, next) = fusion(after: i, in: list)
                    let dense = DenseLayer(inputs: width, outputs: units, activation: activation, dropout: dropout,
                                           offset: offset)
                    layers.append(dense)
                    group(i, "dense", dense.parameters)
                    offset += (width + 1) * units
                    shape = .vector(units)
                    i = next
                    continue
                case let .conv(channels, kernel, stride, padding, _):
                    let (activation, dropout, next) = fusion(after: i, in: list)
                    let window = Window(input: shape.image!, kernel: kernel, stride: stride, padding: padding)
                    let conv = ConvLayer(window: window, channels: channels, activation: activation, dropout: dropout,
                                         offset: offset)
                    layers.append(conv)
                    group(i, "conv", conv.parameters)
                    offset += (window.patchWidth + 1) * channels
                    shape = .image(ImageShape(channels: channels, height: window.outputHeight, width: window.outputWidth))
                    i = next
                    continue
                case .activation, .leakyRelu:
                    layers.append(ActivationLayer(width: width, activation: list[i].nonlinearity!))
                case let .dropout(p):
                    layers.append(DropoutLayer(width: width, probability: Float(p), ordinal: dropouts))
                    dropouts += 1
                case .layerNorm:
                    let norm = LayerNormLayer(width: width, offset: offset)
                    layers.append(norm)
                    group(i, "layernorm", norm.parameters)
                    offset += 2 * width
                case .batchNorm:
                    // Per feature of a vector; per channel of an image, over rows and positions.
                    let image = shape.image
                    let norm = BatchNormLayer(channels: image?.channels ?? width, positions: image?.positions ?? 1,
                                              offset: offset)
                    layers.append(norm)
                    group(i, "batchnorm", norm.parameters)
                    offset += 4 * (image?.channels ?? width)
                case let .residual(body):
                    let fork = layers.count
                    layers.append(ResidualForkLayer(width: width, closing: -1))  // closing set below
                    let name = ParameterLayout.Group.padded(i, digits) + "_residual/"
                    let out = plan(body, shape: shape, path: path + [i], prefix: prefix + name,
                                   digits: ParameterLayout.digits(body.count))
                    precondition(out == shape, "LayerPlan: \(list[i]) changes the shape \(shape) to \(out) (ModelSpec.validateShapes)")
                    layers[fork] = ResidualForkLayer(width: width, closing: layers.count)
                    layers.append(ResidualAddLayer(width: width, opening: fork))
                case let .maxPool(kernel, stride), let .avgPool(kernel, stride):
                    let window = Window(input: shape.image!, kernel: kernel, stride: stride, padding: 0)
                    layers.append(PoolLayer(list[i].kind == "maxpool" ? .max : .average, window: window))
                    shape = .image(ImageShape(channels: window.input.channels, height: window.outputHeight,
                                              width: window.outputWidth))
                case .globalAvgPool:
                    let image = shape.image!
                    layers.append(GlobalAvgPoolLayer(image: image))
                    shape = .vector(image.channels)
                case .flatten:
                    // A vector is flat already: nothing to run.
                    if let image = shape.image { layers.append(FlattenLayer(image: image)) }
                    shape = .vector(width)
                }
                i += 1
            }
            return shape
        }

        /// What a dense or conv layer at `i` absorbs: the activation right after it, the dropout
        /// right after that, and where the list goes on.
        private mutating func fusion(after i: Int, in list: [LayerSpec])
            -> (activation: Nonlinearity?, dropout: (probability: Float, ordinal: Int)?, next: Int) {
            var next = i + 1
            guard next < list.count, let activation = list[next].nonlinearity else { return (nil, nil, next) }
            next += 1
            guard next < list.count, case let .dropout(p) = list[next] else { return (activation, nil, next) }
            dropouts += 1
            return (activation, (Float(p), dropouts - 1), next + 1)
        }
    }
}

extension LayerSpec {
    /// The function an activation term runs; nil for other terms.
    var nonlinearity: Nonlinearity? {
        switch self {
        case let .activation(activation): return .plain(activation)
        case let .leakyRelu(slope): return .leakyRelu(slope: Float(slope))
        default: return nil
        }
    }
}
