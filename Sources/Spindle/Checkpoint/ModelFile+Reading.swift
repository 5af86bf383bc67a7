import Foundation
import HDF5Kit

extension ModelFile {
    /// Reads and checks a model file of format version 1 or 2.
    /// - Throws: `SpindleError.invalidModel` naming the file and what is wrong with it.
    public static func read(from path: String) throws -> ModelFile {
        func invalid(_ problem: String) -> SpindleError { .invalidModel(path: path, problem: problem) }
        let file = try DatasetReader.openFile(path)
        guard file.hasAttribute("format"), try file.stringAttribute("format") == format else {
            throw invalid("not a Spindle model file (no format = \"\(format)\" attribute)")
        }
        let version = try file.intAttribute("format_version")
        guard version >= 1 else {
            throw invalid("format_version \(version) is not a version Spindle writes; expected 1 to \(formatVersion)")
        }
        guard version <= formatVersion else {
            throw invalid("format_version \(version) is newer than this Spindle understands (\(formatVersion)); " +
                          "upgrade Spindle to read it")
        }
        let config = file.hasAttribute("config") ? try decodeConfig(try file.stringAttribute("config"), path) : nil
        let model = try file.openGroup("model")
        let spec = version == 1 ? try versionOneSpec(model, config: config, path: path) : try spec(model, config: config, path: path)
        do { try spec.validateShapes() } catch let error as SpindleError { throw invalid("its spec: \(error.description)") }
        let layout = ParameterLayout(spec)
        var parameters: [Float] = []
        parameters.reserveCapacity(layout.parameterCount)
        for (d, group) in layout.groups.enumerated() {
            // Version 1 numbered the dense layers 0, 1, … ("dense_<d>").
            let name = version == 1 ? "dense_\(d)" : group.name(digits: layout.indexDigits)
            for tensor in group.tensors {
                guard model.exists(name) else {
                    throw invalid("/model/\(name) is missing; the spec \(spec.layers.specText) has a \(group.kind) layer there")
                }
                let dataset = try model.openDataset("\(name)/\(tensor.name)")
                guard dataset.shape == tensor.shape else {
                    throw invalid("/model/\(name)/\(tensor.name) has shape \(dataset.shape), expected \(tensor.shape)")
                }
                parameters += try dataset.readAll() as [Float]
            }
        }
        guard parameters.allSatisfy(\.isFinite) else { throw invalid("holds non-finite weights") }
        let network = Network(spec: spec, parameters: parameters)
        network.featureScaling = try standardisation(model, spec: spec, path: path)
        var moments: [[Float]] = []
        for k in 1...2 where file.exists("optimizer/moment_\(k)") {
            let moment: [Float] = try file.openDataset("optimizer/moment_\(k)").readAll()
            guard moment.count == layout.parameterCount else {
                throw invalid("/optimizer/moment_\(k) has \(moment.count) values, expected \(layout.parameterCount) (one per parameter)")
            }
            moments.append(moment)
        }
        var state: TrainingState? = nil
        if file.hasAttribute("training_state") {
            do {
                state = try JSONDecoder().decode(TrainingState.self, from: Data(try file.stringAttribute("training_state").utf8))
            } catch is DecodingError {
                throw invalid("its training_state attribute is not a valid Spindle training state")
            }
        }
        var read = ModelFile(network: network, config: config,
                             moments: moments, steps: try file.intAttribute("steps"),
                             epochs: try file.intAttribute("epochs"), state: state,
                             trainRows: file.hasAttribute("train_rows") ? try file.intAttribute("train_rows") : nil)
        try read.validateNumbers(formatVersion: version, path: path)
        try read.readExtras(from: file, path: path)
        return read
    }

    /// Version 2: the layer list, input shape, outputs and loss as attributes of /model.
    private static func spec(_ model: H5Group, config: TrainingConfig?, path: String) throws -> ModelSpec {
        func invalid(_ problem: String) -> SpindleError { .invalidModel(path: path, problem: problem) }
        let layers: [LayerSpec]
        do {
            layers = try JSONDecoder().decode([LayerSpec].self, from: Data(try model.stringAttribute("spec").utf8))
        } catch let DecodingError.dataCorrupted(context) {
            throw invalid("/model's spec attribute is not a layer list: \(context.debugDescription)")
        } catch is DecodingError {
            throw invalid("/model's spec attribute is not a layer list (expected JSON such as [{\"dense\": 64}, \"relu\"])")
        }
        let shape = try model.intArrayAttribute("input_shape"), outputs = try model.intAttribute("outputs")
        guard shape.count == 1 || shape.count == 3, shape.allSatisfy({ $0 > 0 && $0 <= ModelSpecParser.widthLimit }) else {
            throw invalid("/model input_shape \(shape) is neither a positive width [F] nor an image's [C, H, W]")
        }
        guard outputs > 0 else { throw invalid("/model outputs \(outputs) is not a positive width") }
        let image = shape.count == 3 ? ImageShape(channels: shape[0], height: shape[1], width: shape[2]) : nil
        let channelsLast = try image == nil ? false : inputLayout(model, path: path)
        let spec = ModelSpec(inputCount: shape.reduce(1, *), layers: layers, outputCount: outputs,
                             loss: try loss(model, path: path), initialization: config?.initialization,
                             inputShape: image, inputChannelsLast: channelsLast)
        if let config, config.model != layers {
            throw invalid("/model's spec \(layers.specText) differs from its config's model \(config.model.specText)")
        }
        if let config, config.inputShape != image || (image != nil && config.channelsLast != channelsLast) {
            let saved = config.inputShape.map { "\($0.dimensions)" + ($0 == image && config.channelsLast ? " channels-last" : "") }
            throw invalid("/model input_shape \(shape) differs from its config's inputShape \(saved ?? "(none)")")
        }
        return spec
    }

    /// `/model`'s `input_layout`: whether an image model's rows are channels-last; channels-first
    /// when absent.
    private static func inputLayout(_ model: H5Group, path: String) throws -> Bool {
        guard model.hasAttribute("input_layout") else { return false }
        let layout = try model.stringAttribute("input_layout")
        guard layout == channelsFirst || layout == channelsLast else {
            throw SpindleError.invalidModel(
                path: path, problem: "/model input_layout '\(layout)' is unknown; expected \(channelsFirst) or \(channelsLast)")
        }
        return layout == channelsLast
    }

    /// Version 1: dense widths and one activation; the dropout, which only training uses, comes
    /// from the config when there is one.
    private static func versionOneSpec(_ model: H5Group, config: TrainingConfig?, path: String) throws -> ModelSpec {
        func invalid(_ problem: String) -> SpindleError { .invalidModel(path: path, problem: problem) }
        let widths = try model.intArrayAttribute("widths")
        guard widths.count >= 2, widths.allSatisfy({ $0 > 0 }) else { throw invalid("bad layer widths \(widths)") }
        let name = try model.stringAttribute("activation")
        guard let activation = Activation(rawValue: name) else {
            throw invalid("/model activation '\(name)' is unknown; expected relu, sigmoid or tanh")
        }
        let shorthand = ModelSpec(inputCount: widths[0], hiddenSizes: Array(widths.dropFirst().dropLast()),
                                  outputCount: widths.last!, activation: activation, loss: try loss(model, path: path))
        guard let config else { return shorthand }
        let spec = config.modelSpec(inputs: widths[0], outputs: widths.last!)
        guard spec.widths == widths, config.loss == shorthand.loss else {
            throw invalid("/model widths \(widths) differ from its config's model \(config.model.specText)")
        }
        return spec
    }

    private static func loss(_ model: H5Group, path: String) throws -> LossKind {
        let name = try model.stringAttribute("loss")
        guard let loss = LossKind(rawValue: name) else {
            throw SpindleError.invalidModel(path: path, problem: "/model loss '\(name)' is unknown; expected cross-entropy or mse")
        }
        return loss
    }

    /// /model/standardize: statistics per feature, (F), or for an image model per channel, (C).
    private static func standardisation(_ model: H5Group, spec: ModelSpec, path: String) throws -> FeatureScaling? {
        guard model.exists("standardize") else { return nil }
        let features = spec.inputCount, channels = spec.inputShape?.channels
        var values: [[Float]] = []
        for name in ["mean", "std"] {
            let dataset = try model.openDataset("standardize/\(name)")
            guard dataset.shape == [features] || (channels.map { dataset.shape == [$0] } ?? false),
                  values.first.map({ $0.count == dataset.elementCount }) ?? true else {
                throw SpindleError.invalidModel(
                    path: path, problem: "/model/standardize/\(name) has shape \(dataset.shape), expected [\(features)]" +
                        (channels.map { " (per feature) or [\($0)] (per channel)" } ?? ""))
            }
            values.append(try dataset.readAll())
        }
        guard values.joined().allSatisfy(\.isFinite) else {
            throw SpindleError.invalidModel(path: path, problem: "holds non-finite standardisation statistics")
        }
        if let image = spec.inputShape, values[0].count == image.channels, image.channels != features {
            return FeatureScaling(channelMean: values[0], channelStd: values[1], image: image,
                                  channelsLast: spec.inputChannelsLast)
        }
        return FeatureScaling(mean: values[0], std: values[1])
    }

    /// The config attribute, with a message that names what is wrong with it.
    static func decodeConfig(_ json: String, _ path: String) throws -> TrainingConfig {
        do {
            return try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw SpindleError.invalidModel(path: path, problem: "its config attribute lacks '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw SpindleError.invalidModel(
                path: path, problem: "its config attribute is not a valid Spindle config" +
                    (field.isEmpty ? " (not JSON)" : " (bad '\(field)')"))
        }
    }
}
