/// A model's layer table, as Keras's `model.summary()` prints it: each layer, its output shape
/// and its parameter count.
extension ModelSpec {
    /// One row of the table.
    public struct LayerRow: Sendable, Equatable {
        /// The layer's position in `allLayers`, as in the model file's group names.
        public var index: Int
        /// Its term, e.g. "dense(512)"; the implicit output layer is marked "(output)".
        public var layer: String
        public var outputShape: [Int]
        public var parameters: Int
    }

    /// Every layer of `allLayers` with its output shape and trained-parameter count (a residual
    /// block is one row holding its body's; batchnorm's running statistics are state, not
    /// counted, as PyTorch's `parameters()` leaves them out).
    /// - Precondition: a valid spec (`validateShapes`).
    public var layerRows: [LayerRow] {
        var shape = inputTensorShape
        return allLayers.enumerated().map { index, layer in
            let parameters = Self.trainedParameters(layer, input: shape)
            shape = Self.shape(after: layer, from: shape)
            let name = index == layers.count ? "\(layer) (output)" : layer.description
            return LayerRow(index: index, layer: name, outputShape: shape.dimensions, parameters: parameters)
        }
    }

    private static func shape(after layer: LayerSpec, from input: TensorShape) -> TensorShape {
        do { return try layer.outputShape(from: input) } catch { preconditionFailure("ModelSpec: \(error)") }
    }

    /// Trained parameters of `layer` when its input has shape `input`.
    static func trainedParameters(_ layer: LayerSpec, input: TensorShape) -> Int {
        switch layer {
        case let .dense(units, _): return (input.count + 1) * units
        case let .conv(channels, kernel, _, _, _): return ((input.image?.channels ?? 0) * kernel * kernel + 1) * channels
        case .layerNorm: return 2 * input.count
        case .batchNorm: return 2 * (input.image?.channels ?? input.count)
        case let .residual(body):
            var inner = input, total = 0
            for part in body {
                total += trainedParameters(part, input: inner)
                inner = shape(after: part, from: inner)
            }
            return total
        case .activation, .leakyRelu, .dropout, .maxPool, .avgPool, .globalAvgPool, .flatten: return 0
        }
    }

    /// The table as text lines, with a header and the total, e.g.
    ///
    ///     #   layer                output shape    parameters
    ///     0   dense(512)           (512)              401,920
    ///     1   relu                 (512)                    0
    public var summaryLines: [String] {
        let rows = layerRows
        let shapes = rows.map { "(" + $0.outputShape.map(String.init).joined(separator: ", ") + ")" }
        let counts = rows.map { $0.parameters.grouped }
        let total = rows.reduce(0) { $0 + $1.parameters }.grouped
        let w0 = max(1, String(rows.count - 1).count), w1 = max(5, rows.map(\.layer.count).max() ?? 0)
        let w2 = max(12, shapes.map(\.count).max() ?? 0), w3 = max(10, total.count)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func left(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines = ["\(pad("#", w0))  \(pad("layer", w1))  \(pad("output shape", w2))  \(left("parameters", w3))"]
        for (i, row) in rows.enumerated() {
            lines.append("\(pad(String(row.index), w0))  \(pad(row.layer, w1))  \(pad(shapes[i], w2))  \(left(counts[i], w3))")
        }
        lines.append("\(pad("", w0))  \(pad("input \(inputTensorShape)", w1))  \(pad("total", w2))  \(left(total, w3))")
        return lines
    }
}
