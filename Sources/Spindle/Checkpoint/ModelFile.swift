import Foundation
import HDF5Kit

/// A trained model (and the optimizer state that continues it) as one self-describing HDF5 file,
/// readable with h5py alone. Layout, documented for users in docs/model-format.md:
///
///     /                      attrs: format = "spindle-model", format_version = 2, spindle_version,
///                                   config (JSON of TrainingConfig), steps, epochs, and for a
///                                   checkpoint training_state (JSON of TrainingState), train_rows
///     /model                 attrs: spec (JSON layer list, as --model @file.json takes it),
///                                   input_shape [F] or an image's [C, H, W], outputs C, loss,
///                                   architecture "784-512-256-10"; for an image, input_layout
///                                   "channels_first" (rows (C, H, W)) or "channels_last" ((H, W, C))
///     /model/<i>_<kind>/…    one group per layer with parameters, i its position in the layer
///                            list (zero-padded; the implicit output layer last), datasets named
///                            and shaped as PyTorch's state_dict for the same module:
///     /model/<i>_dense/weight  (out, in) float32 — y = x · weightᵀ + bias
///     /model/<i>_dense/bias    (out) float32
///     /model/<i>_layernorm/weight, bias  (N) float32 — nn.LayerNorm
///     /model/<i>_batchnorm/weight, bias, running_mean, running_var  (N) float32 — nn.BatchNorm1d
///                            (no num_batches_tracked: with a fixed momentum nothing reads it)
///     /model/<i>_conv/weight   (C, C_in, K, K) float32 — nn.Conv2d
///     /model/<i>_conv/bias     (C) float32
///     /model/<i>_residual/<j>_<kind>/…  the layers of a residual block's body, j its position in
///                            the body — PyTorch's `i.body.j.weight`
///     /model/standardize/mean, /model/standardize/std  (in) float32, or (C) for an image model
///                            (per channel), when trained with --standardize: the network sees
///                            (x − mean) / std
///     / attrs table_schema, class_names   the dataset's, when it had them: how raw CSV rows
///                            become the features (`TableSchema`), and the classes' names
///     /early_stopping        attrs and best_parameters (P) float32, with --early-stopping
///                            (`ModelFile+Extras.swift`)
///     /optimizer             attrs: kind, step
///     /optimizer/moment_<k>  flat float32, same order as the /model datasets concatenated
///
/// Every dataset carries a Fletcher-32 checksum, so corruption is reported on read. Version 1
/// files (`/model/dense_<l>`, the model as widths and one activation) are read as well
/// (`ModelFile+Reading.swift`).
public struct ModelFile: Sendable {
    public static let format = "spindle-model"
    public static let formatVersion = 2
    /// `/model`'s `input_layout` for an image model: how its data's rows store each image.
    public static let channelsFirst = "channels_first", channelsLast = "channels_last"

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
    /// How the dataset's CSV columns became the features, when `spindle import csv` made it:
    /// what `predict` and `eval` apply to a raw CSV.
    public var tableSchema: TableSchema?
    /// The classes' names (the schema's, or the dataset's `class_names`), one per output.
    public var classNames: [String]?
    /// Early stopping's state (best epoch, its weights, patience spent), with --early-stopping.
    public var earlyStopping: EarlyStopping.State?

    public init(network: Network, config: TrainingConfig?, moments: [[Float]] = [], steps: Int = 0, epochs: Int = 0,
                state: TrainingState? = nil, trainRows: Int? = nil, tableSchema: TableSchema? = nil,
                classNames: [String]? = nil, earlyStopping: EarlyStopping.State? = nil) {
        self.network = network
        self.config = config
        self.moments = moments
        self.steps = steps
        self.epochs = epochs
        self.state = state
        self.trainRows = trainRows
        self.tableSchema = tableSchema
        self.classNames = classNames
        self.earlyStopping = earlyStopping
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
            try writeExtras(to: file)
            let spec = network.spec
            let model = try file.createGroup("model")
            try model.setAttribute("spec", String(decoding: try JSONEncoder.sorted.encode(spec.layers), as: UTF8.self))
            try model.setAttribute("input_shape", spec.inputShape?.dimensions ?? [spec.inputCount])
            if spec.inputShape != nil {
                try model.setAttribute("input_layout", spec.inputChannelsLast ? Self.channelsLast : Self.channelsFirst)
            }
            try model.setAttribute("outputs", spec.outputCount)
            try model.setAttribute("loss", spec.loss.rawValue)
            try model.setAttribute("architecture", spec.architecture)
            let layout = network.layout
            for group in layout.groups {
                // A block's layers sit in groups inside the block's ("03_residual/01_dense").
                var h5 = model, path = ""
                for part in group.name(digits: layout.indexDigits).split(separator: "/") {
                    path += (path.isEmpty ? "" : "/") + part
                    h5 = model.exists(path) ? try model.openGroup(path) : try model.createGroup(path)
                }
                for tensor in group.tensors {
                    let values = UnsafeBufferPointer(start: network.parameters.base + tensor.offset, count: tensor.count)
                    try writeFloats(h5, tensor.name, values, shape: tensor.shape)
                }
            }
            if let scaling = network.featureScaling {
                let group = try model.createGroup("standardize")
                let stored = scaling.stored
                for (name, values) in [("mean", stored.mean), ("std", stored.std)] {
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
        let datasets = network.layout.groups.reduce(0) { $0 + $1.tensors.count } + moments.count + 2
        let floats = network.layout.parameterCount + moments.reduce(0) { $0 + $1.count } + 2 * network.spec.inputCount
        let attributes = [state.flatMap { try? JSONEncoder.sorted.encode($0).count },
                          config.flatMap { try? JSONEncoder.sorted.encode($0).count },
                          tableSchema.flatMap { try? JSONEncoder.sorted.encode($0).count },
                          classNames.map { $0.reduce(16 * $0.count) { $0 + $1.utf8.count } }].reduce(0) { $0 + ($1 ?? 0) }
        return 4 * (floats + extraFloats) + 2 * attributes + 64 * 1024 + 8 * 1024 * (datasets + 1)
    }

    /// Writes `values` (row-major, `shape`) straight from memory: a checkpoint is written while
    /// training goes on, and every copy is CPU taken from the workers.
    func writeFloats(_ group: H5Group, _ name: String, _ values: UnsafeBufferPointer<Float>,
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
