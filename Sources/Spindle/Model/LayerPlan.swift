/// Turns a model's layer list into the layers the engine runs, placing their parameters in the
/// flat buffer. A dense layer absorbs the activation right after it and a dropout right after
/// that (one pass over a tile instead of three); everything else runs as its own layer.
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
        builder.plan(all, width: spec.inputCount, path: [], prefix: "", digits: ParameterLayout.digits(all.count))
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

        /// Plans `list`, whose input is `width` wide, and returns its output width. `path` and
        /// `prefix` locate the list: [] and "" for the model, [3] and "03_residual/" for the
        /// body of its layer 3.
        @discardableResult
        mutating func plan(_ list: [LayerSpec], width input: Int, path: [Int], prefix: String, digits: Int) -> Int {
            var width = input, i = 0
            func group(_ index: Int, _ kind: String, _ tensors: [ParameterTensor]) {
                groups.append(.init(index: index, kind: kind, tensors: tensors, path: path + [index], enclosing: prefix,
                                    bodyDigits: digits))
            }
            while i < list.count {
                switch list[i] {
                case let .dense(units, _):
                    var dropout: (probability: Float, ordinal: Int)? = nil
                    var next = i + 1
                    let activation = next < list.count ? list[next].nonlinearity : nil
                    if activation != nil {
                        next += 1
                        if next < list.count, case let .dropout(p) = list[next] {
                            dropout = (Float(p), dropouts)
                            dropouts += 1
                            next += 1
                        }
                    }
                    let dense = DenseLayer(inputs: width, outputs: units, activation: activation, dropout: dropout,
                                           offset: offset)
                    layers.append(dense)
                    group(i, "dense", dense.parameters)
                    offset += (width + 1) * units
                    width = units
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
                    let norm = BatchNormLayer(width: width, offset: offset)
                    layers.append(norm)
                    group(i, "batchnorm", norm.parameters)
                    offset += 4 * width
                case let .residual(body):
                    let fork = layers.count
                    layers.append(ResidualForkLayer(width: width, closing: -1))  // closing set below
                    let name = ParameterLayout.Group.padded(i, digits) + "_residual/"
                    let out = plan(body, width: width, path: path + [i], prefix: prefix + name,
                                   digits: ParameterLayout.digits(body.count))
                    precondition(out == width, "LayerPlan: \(list[i]) changes the width \(width) to \(out) (ModelSpec.validateBlocks)")
                    layers[fork] = ResidualForkLayer(width: width, closing: layers.count)
                    layers.append(ResidualAddLayer(width: width, opening: fork))
                }
                i += 1
            }
            return width
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
