/// What each layer of a model outputs, and the one-line refusals of layers that cannot take
/// their input (DESIGN.md, "The model spec": the errors point at the term).
extension ModelSpec {
    /// What the first layer reads: the data's image shape, or a vector of its features.
    public var inputTensorShape: TensorShape {
        inputShape.map(TensorShape.image) ?? .vector(inputCount)
    }

    /// The output shape of every layer of `allLayers` (the implicit output layer last).
    /// - Throws: `SpindleError.invalidConfig(setting: "model", …)` naming the first layer that
    ///   cannot take its input, with both shapes.
    public func layerShapes() throws -> [TensorShape] {
        var shape = inputTensorShape
        var shapes: [TensorShape] = []
        for (index, layer) in allLayers.enumerated() {
            if index == layers.count, let image = shape.image {
                throw SpindleError.invalidConfig(
                    setting: "model", found: layers.last.map(\.description) ?? "the input",
                    expected: "a vector before the output layer: this ends at an image \(image); end the model with flatten or globalavgpool")
            }
            shape = try layer.outputShape(from: shape)
            shapes.append(shape)
        }
        return shapes
    }

    /// Checks that every layer can take its input: images only where layers take images, a
    /// vector before every dense layer, residual bodies that keep their input's shape, kernels
    /// and pools that fit.
    /// - Throws: as `layerShapes()`.
    public func validateShapes() throws {
        _ = try layerShapes()
    }
}

extension LayerSpec {
    /// The shape this layer outputs when its input is `input`.
    /// - Throws: `SpindleError.invalidConfig(setting: "model", …)` naming this term, when it
    ///   cannot take `input` (or, for a block, naming the part of its body that cannot).
    public func outputShape(from input: TensorShape) throws -> TensorShape {
        func fail(_ expected: String) -> SpindleError {
            .invalidConfig(setting: "model", found: description, expected: expected)
        }
        func image(_ what: String) throws -> ImageShape {
            guard let image = input.image else {
                throw fail("an image input (\(what)), but its input is a vector of \(input.count) features; give the data's image shape with --input-shape C,H,W")
            }
            return image
        }
        switch self {
        case .dense(let units, _):
            if let image = input.image {
                throw fail("a vector input, but its input is an image \(image); put flatten (or globalavgpool) before it")
            }
            return .vector(units)
        case .activation, .leakyRelu, .dropout, .batchNorm:
            return input
        case .layerNorm:
            if let image = input.image {
                throw fail("a vector input (it normalises each row's features), but its input is an image \(image); use batchnorm for images, or flatten first")
            }
            return input
        case let .residual(body):
            var shape = input
            for part in body { shape = try part.outputShape(from: shape) }
            guard shape == input else {
                if case let .vector(width) = input, case let .vector(out) = shape {
                    throw fail("a body that keeps its input's width \(width) (x + body(x)); this one ends at \(out)")
                }
                throw fail("a body that keeps its input's shape \(input) (x + body(x)); this one ends at \(shape)")
            }
            return input
        case let .conv(channels, kernel, stride, padding, _):
            let x = try image("a convolution slides over an image")
            let height = x.height + 2 * padding, width = x.width + 2 * padding
            guard kernel <= height && kernel <= width else {
                throw fail("a kernel no larger than its padded input: the kernel is \(kernel)×\(kernel), the input \(x) padded by \(padding) is \(height)×\(width)")
            }
            return .image(ImageShape(channels: channels, height: (height - kernel) / stride + 1,
                                     width: (width - kernel) / stride + 1))
        case let .maxPool(kernel, stride), let .avgPool(kernel, stride):
            let x = try image("a pool takes windows of an image")
            guard kernel <= x.height && kernel <= x.width else {
                throw fail("a window that fits its input: the window is \(kernel)×\(kernel), the input \(x) is \(x.height)×\(x.width)")
            }
            return .image(ImageShape(channels: x.channels, height: (x.height - kernel) / stride + 1,
                                     width: (x.width - kernel) / stride + 1))
        case .globalAvgPool:
            return .vector(try image("it averages each channel over an image").channels)
        case .flatten:
            return .vector(input.count)
        }
    }
}
