/// Turns a model's layer list into the layers the engine runs, placing their parameters in the
/// flat buffer. A dense layer absorbs the activation right after it and a dropout right after
/// that (one pass over a tile instead of three); everything else runs as its own layer.
struct LayerPlan {
    /// The layers to run, in order; the last is the implicit output layer.
    let layers: [any Layer]
    let layout: ParameterLayout

    init(_ spec: ModelSpec) {
        let all = spec.allLayers
        var layers: [any Layer] = []
        var groups: [ParameterLayout.Group] = []
        var offset = 0, width = spec.inputCount, dropouts = 0
        var i = 0
        while i < all.count {
            switch all[i] {
            case let .dense(units, _):
                var activation: Activation? = nil
                var dropout: (probability: Float, ordinal: Int)? = nil
                var next = i + 1
                if next < all.count, case let .activation(a) = all[next] {
                    activation = a
                    next += 1
                    if next < all.count, case let .dropout(p) = all[next] {
                        dropout = (Float(p), dropouts)
                        dropouts += 1
                        next += 1
                    }
                }
                let dense = DenseLayer(inputs: width, outputs: units, activation: activation, dropout: dropout,
                                       offset: offset)
                layers.append(dense)
                groups.append(.init(index: i, kind: "dense", tensors: dense.parameters))
                offset += (width + 1) * units
                width = units
                i = next
            case let .activation(activation):
                layers.append(ActivationLayer(width: width, activation: activation))
                i += 1
            case let .dropout(p):
                layers.append(DropoutLayer(width: width, probability: Float(p), ordinal: dropouts))
                dropouts += 1
                i += 1
            }
        }
        self.layers = layers
        layout = ParameterLayout(groups: groups, layerCount: all.count)
    }

    /// The first layer whose backward matters: the first with parameters. Layers before it need
    /// no gradient at all, and it needs none for its input.
    var firstTrained: Int { layers.firstIndex { $0.unitCount > 0 } ?? layers.count }
}
