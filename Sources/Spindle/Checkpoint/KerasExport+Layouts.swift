/// How Spindle's parameters (PyTorch's layouts) become Keras's: transposed kernels, and the
/// feature order of a flattened image.
///
/// Letters: I a layer's inputs, O its outputs, C_in and C a conv's input and output channels,
/// K its kernel size; H, W, C an image's height, width and channels.
extension KerasExport {
    /// The transpose of a row-major (rows, columns) matrix, as a row-major (columns, rows) one:
    /// Spindle's weight W (O, I) computes x · Wᵀ, Keras' kernel K (I, O) computes x · K, so K = Wᵀ.
    static func transposed(_ matrix: [Float], rows: Int, columns: Int) -> [Float] {
        precondition(matrix.count == rows * columns, "KerasExport: matrix is not \(rows)×\(columns)")
        var result = [Float](repeating: 0, count: matrix.count)
        for r in 0..<rows {
            for c in 0..<columns { result[c * rows + r] = matrix[r * columns + c] }
        }
        return result
    }

    /// A conv's weight (C, C_in, K, K), PyTorch's, as Keras's `Conv2D` kernel (K, K, C_in, C):
    /// kernel[ky, kx, ci, co] = weight[co, ci, ky, kx].
    static func convKernel(_ weight: [Float], shape: [Int]) -> [Float] {
        precondition(shape.count == 4 && weight.count == shape.reduce(1, *), "KerasExport: conv weight \(shape)")
        let (c, cIn, k) = (shape[0], shape[1], shape[2])
        var kernel = [Float](repeating: 0, count: weight.count)
        for co in 0..<c {
            for ci in 0..<cIn {
                for ky in 0..<k {
                    for kx in 0..<k {
                        kernel[((ky * k + kx) * cIn + ci) * c + co] = weight[((co * cIn + ci) * k + ky) * k + kx]
                    }
                }
            }
        }
        return kernel
    }

    /// Where Keras's flattened features come from: a Keras `Flatten` after a channels-last image
    /// lists (H, W, C), Spindle's `flatten` (C, H, W), so Keras's feature (y·W + x)·C + c is
    /// Spindle's c·H·W + y·W + x. `order[k]` is the Spindle feature that Keras's feature k is.
    static func flattenOrder(_ image: ImageShape) -> [Int] {
        var order: [Int] = []
        order.reserveCapacity(image.count)
        for y in 0..<image.height {
            for x in 0..<image.width {
                for c in 0..<image.channels { order.append((c * image.height + y) * image.width + x) }
            }
        }
        return order
    }

    /// For each layer of `spec.allLayers` that reads a flattened image's features in Spindle's
    /// order, that order (`flattenOrder`): the dense layer after a `flatten`, and the norms
    /// between them, whose per-feature parameters are permuted like the dense layer's weight
    /// columns. Activations and dropout keep the order; a dense layer's outputs are its own.
    static func flattenedInputs(_ spec: ModelSpec) -> [Int: [Int]] {
        var result: [Int: [Int]] = [:]
        var shape = spec.inputTensorShape, order: [Int]? = nil
        for (index, layer) in spec.allLayers.enumerated() {
            if let order, layer.kind == "dense" || layer.kind == "layernorm" || layer.kind == "batchnorm" {
                result[index] = order
            }
            if layer.kind == "dense" { order = nil }
            if case .flatten = layer, let image = shape.image { order = flattenOrder(image) }
            // `checkExpressible` has passed, so every layer takes its input.
            shape = (try? layer.outputShape(from: shape)) ?? shape
        }
        return result
    }

    /// `values` (rows, I) row-major with its I columns put in Keras's order: column k of the
    /// result is column order[k].
    static func permutedColumns(_ values: [Float], rows: Int, order: [Int]) -> [Float] {
        let columns = order.count
        precondition(values.count == rows * columns, "KerasExport: \(values.count) values for \(rows)×\(columns)")
        var result = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for k in 0..<columns { result[r * columns + k] = values[r * columns + order[k]] }
        }
        return result
    }

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
}
