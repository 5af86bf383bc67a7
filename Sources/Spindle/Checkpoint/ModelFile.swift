import Foundation
import HDF5Kit

/// A trained model (and the optimizer state that continues it) as one self-describing HDF5 file,
/// readable with h5py alone. Layout, documented for users in docs/model-format.md:
///
///     /                      attrs: format = "spindle-model", format_version, spindle_version,
///                                   config (JSON of TrainingConfig), steps, epochs, and for a
///                                   checkpoint training_state (JSON of TrainingState), train_rows
///     /model                 attrs: architecture "784-512-256-10", widths, activation, loss
///     /model/dense_<l>/weight  (out, in) float32 — y = x · weightᵀ + bias
///     /model/dense_<l>/bias    (out) float32
///     /model/standardize/mean, /model/standardize/std  (in) float32, when trained with
///                            --standardize: the network sees (x − mean) / std
///     /optimizer             attrs: kind, step
///     /optimizer/moment_<k>  flat float32, same order as the /model datasets concatenated
///
/// Every dataset carries a Fletcher-32 checksum, so corruption is reported on read.
public struct ModelFile: Sendable {
    public static let format = "spindle-model"
    public static let formatVersion = 1

    public var network: Network
    /// The run's config; nil for a file without one (written by other tools from the documented
    /// layout): such a model predicts and evaluates, but cannot continue training.
    public var config: TrainingConfig?
    /// Optimizer moments (may be empty), and the steps and epochs trained so far.
    public var moments: [[Float]]
    public var steps: Int
    public var epochs: Int
    /// Where the run stood (loader position, partial-epoch sums, history): what resuming needs.
    public var state: TrainingState?
    /// Rows of the training split the run used; resuming on other data is refused.
    public var trainRows: Int?

    public init(network: Network, config: TrainingConfig?, moments: [[Float]] = [], steps: Int = 0, epochs: Int = 0,
                state: TrainingState? = nil, trainRows: Int? = nil) {
        self.network = network
        self.config = config
        self.moments = moments
        self.steps = steps
        self.epochs = epochs
        self.state = state
        self.trainRows = trainRows
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    /// - Throws: `SpindleError.cannotWrite` or `HDF5Error`.
    public func write(to path: String) throws {
        try AtomicFile.writeHDF5(to: path, reserving: expectedFileSize) { file in
            try file.setAttribute("format", Self.format)
            try file.setAttribute("format_version", Self.formatVersion)
            try file.setAttribute("spindle_version", BuildInfo.version)
            if let config {
                try file.setAttribute("config", String(decoding: try JSONEncoder.sorted.encode(config), as: UTF8.self))
            }
            try file.setAttribute("steps", steps)
            try file.setAttribute("epochs", epochs)
            if let state {
                try file.setAttribute("training_state", String(decoding: try JSONEncoder.sorted.encode(state), as: UTF8.self))
            }
            if let trainRows { try file.setAttribute("train_rows", trainRows) }
            let spec = network.spec
            let model = try file.createGroup("model")
            try model.setAttribute("architecture", spec.architecture)
            try model.setAttribute("widths", spec.widths)
            try model.setAttribute("activation", spec.activation.rawValue)
            try model.setAttribute("loss", spec.loss.rawValue)
            for (l, layer) in network.layout.layers.enumerated() {
                let group = try model.createGroup("dense_\(l)")
                let weights = UnsafeBufferPointer(start: network.parameters.base + layer.weightOffset,
                                                  count: layer.weightCount)
                let biases = UnsafeBufferPointer(start: network.parameters.base + layer.biasOffset,
                                                 count: layer.outputs)
                try writeFloats(group, "weight", weights, shape: [layer.outputs, layer.inputs])
                try writeFloats(group, "bias", biases, shape: [layer.outputs])
            }
            if let scaling = network.featureScaling {
                let group = try model.createGroup("standardize")
                for (name, values) in [("mean", scaling.mean), ("std", scaling.std)] {
                    try values.withUnsafeBufferPointer { try writeFloats(group, name, $0, shape: [values.count]) }
                }
            }
            let optimizer = try file.createGroup("optimizer")
            try optimizer.setAttribute("kind", config?.optimizer.kind.rawValue ?? "none")
            try optimizer.setAttribute("step", steps)
            for (k, moment) in moments.enumerated() {
                try moment.withUnsafeBufferPointer {
                    try writeFloats(optimizer, "moment_\(k + 1)", $0, shape: [moment.count])
                }
            }
        }
    }

    /// An upper bound of the size of the file `write` makes: the float data plus HDF5's metadata
    /// and attributes (measured: about 26 KiB besides the floats for one hidden layer, 2 KiB more
    /// per layer).
    var expectedFileSize: Int {
        let datasets = 2 * network.layout.layers.count + moments.count + 2
        let floats = network.layout.parameterCount + moments.reduce(0) { $0 + $1.count } + 2 * network.spec.inputCount
        let attributes = [state.flatMap { try? JSONEncoder.sorted.encode($0).count },
                          config.flatMap { try? JSONEncoder.sorted.encode($0).count }].reduce(0) { $0 + ($1 ?? 0) }
        return 4 * floats + 2 * attributes + 64 * 1024 + 8 * 1024 * datasets
    }

    /// Reads and checks a model file.
    /// - Throws: `SpindleError.invalidModel` naming the file and what is wrong with it.
    public static func read(from path: String) throws -> ModelFile {
        func invalid(_ problem: String) -> SpindleError { .invalidModel(path: path, problem: problem) }
        let file = try DatasetReader.openFile(path)
        guard file.hasAttribute("format"), try file.stringAttribute("format") == format else {
            throw invalid("not a Spindle model file (no format = \"\(format)\" attribute)")
        }
        let version = try file.intAttribute("format_version")
        guard version <= formatVersion else {
            throw invalid("format_version \(version) is newer than this Spindle understands (\(formatVersion)); " +
                          "upgrade Spindle to read it")
        }
        let config = file.hasAttribute("config") ? try decodeConfig(try file.stringAttribute("config"), path) : nil
        let model = try file.openGroup("model")
        let widths = try model.intArrayAttribute("widths")
        guard widths.count >= 2, widths.allSatisfy({ $0 > 0 }) else { throw invalid("bad layer widths \(widths)") }
        let activationName = try model.stringAttribute("activation"), lossName = try model.stringAttribute("loss")
        guard let activation = Activation(rawValue: activationName) else {
            throw invalid("/model activation '\(activationName)' is unknown; expected relu, sigmoid or tanh")
        }
        guard let loss = LossKind(rawValue: lossName) else {
            throw invalid("/model loss '\(lossName)' is unknown; expected cross-entropy or mse")
        }
        let spec = ModelSpec(inputCount: widths[0], hiddenSizes: Array(widths.dropFirst().dropLast()),
                             outputCount: widths.last!, activation: activation, loss: loss)
        let layout = ParameterLayout(spec)
        var parameters: [Float] = []
        parameters.reserveCapacity(layout.parameterCount)
        for (l, layer) in layout.layers.enumerated() {
            for (name, shape) in [("weight", [layer.outputs, layer.inputs]), ("bias", [layer.outputs])] {
                let dataset = try model.openDataset("dense_\(l)/\(name)")
                guard dataset.shape == shape else {
                    throw invalid("/model/dense_\(l)/\(name) has shape \(dataset.shape), expected \(shape)")
                }
                parameters += try dataset.readAll() as [Float]
            }
        }
        guard parameters.allSatisfy(\.isFinite) else { throw invalid("holds non-finite weights") }
        let network = Network(spec: spec, parameters: parameters)
        if model.exists("standardize") {
            var values: [[Float]] = []
            for name in ["mean", "std"] {
                let dataset = try model.openDataset("standardize/\(name)")
                guard dataset.shape == [spec.inputCount] else {
                    throw invalid("/model/standardize/\(name) has shape \(dataset.shape), expected [\(spec.inputCount)]")
                }
                values.append(try dataset.readAll())
            }
            guard values.joined().allSatisfy(\.isFinite) else { throw invalid("holds non-finite standardisation statistics") }
            network.featureScaling = FeatureScaling(mean: values[0], std: values[1])
        }
        var moments: [[Float]] = []
        for k in 1...2 where file.exists("optimizer/moment_\(k)") {
            moments.append(try file.openDataset("optimizer/moment_\(k)").readAll())
        }
        var state: TrainingState? = nil
        if file.hasAttribute("training_state") {
            do {
                state = try JSONDecoder().decode(TrainingState.self, from: Data(try file.stringAttribute("training_state").utf8))
            } catch is DecodingError {
                throw invalid("its training_state attribute is not a valid Spindle training state")
            }
        }
        let read = ModelFile(network: network, config: config,
                             moments: moments, steps: try file.intAttribute("steps"),
                             epochs: try file.intAttribute("epochs"), state: state,
                             trainRows: file.hasAttribute("train_rows") ? try file.intAttribute("train_rows") : nil)
        try read.validateNumbers(formatVersion: version, path: path)
        return read
    }

    /// The config attribute, with a message that names what is wrong with it.
    private static func decodeConfig(_ json: String, _ path: String) throws -> TrainingConfig {
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

    /// Writes `values` (row-major, `shape`) straight from memory: a checkpoint is written while
    /// training goes on, and every copy is CPU taken from the workers.
    private func writeFloats(_ group: H5Group, _ name: String, _ values: UnsafeBufferPointer<Float>,
                             shape: [Int]) throws {
        // Fletcher-32 needs a chunked layout; one chunk of up to ~1 MiB of rows.
        let rowWidth = shape.dropFirst().reduce(1, *)
        let chunkRows = max(1, min(shape[0], (1 << 18) / max(rowWidth, 1)))
        let dataset = try group.createDataset(name, type: .float32, shape: shape,
                                              chunkShape: [chunkRows] + shape.dropFirst(), fletcher32: true)
        try dataset.write(rows: 0..<shape[0], from: values)
    }
}

extension JSONEncoder {
    /// Sorted keys, so the same config always gives the same text.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
