import Foundation
import HDF5Kit

/// The parts of a model file beyond the network and the optimizer, each optional, so that files
/// without them (version 1, and version 2 before them) read as before:
///
///     /                      attrs: table_schema (JSON of `TableSchema`, as the dataset file's),
///                                   class_names (one string per class; left out past 3,000
///                                   names, which the schema still lists)
///     /early_stopping        attrs: monitor, patience, best_epoch, best_value,
///                                   epochs_without_improvement, stopped (0/1), restored (0/1)
///     /early_stopping/best_parameters  (P) float32, flat as /optimizer's moments: the best
///                            epoch's weights (a checkpoint's; a model file whose /model holds
///                            them already, restored = 1, leaves it out)
extension ModelFile {
    /// Most class names written as an attribute: one lives in its object's header, at most
    /// 64 KiB in the file format h5py reads by default, 16 bytes a name.
    static let classNameAttributeLimit = 3000

    /// Floats `writeExtras` adds to the file.
    var extraFloats: Int {
        guard let state = earlyStopping, !state.restored else { return 0 }
        return state.bestParameters?.count ?? 0
    }

    func writeExtras(to file: H5File) throws {
        if let tableSchema {
            try file.setAttribute("table_schema", String(decoding: try JSONEncoder.sorted.encode(tableSchema), as: UTF8.self))
        }
        if let classNames, classNames.count <= Self.classNameAttributeLimit {
            try file.setAttribute("class_names", classNames)
        }
        guard let state = earlyStopping else { return }
        let group = try file.createGroup("early_stopping")
        if let settings = config?.earlyStopping {
            try group.setAttribute("monitor", settings.monitor.rawValue)
            try group.setAttribute("patience", settings.patience)
        }
        if let epoch = state.bestEpoch, let value = state.bestValue {
            try group.setAttribute("best_epoch", epoch)
            try group.setAttribute("best_value", value)
        }
        try group.setAttribute("epochs_without_improvement", state.epochsWithoutImprovement)
        try group.setAttribute("stopped", state.stopped ? 1 : 0)
        try group.setAttribute("restored", state.restored ? 1 : 0)
        if let best = state.bestParameters, !state.restored {
            try best.withUnsafeBufferPointer { try writeFloats(group, "best_parameters", $0, shape: [best.count]) }
        }
    }

    /// Reads what `writeExtras` wrote, checking it against the network.
    /// - Throws: `SpindleError.invalidModel` naming the attribute or dataset.
    mutating func readExtras(from file: H5File, path: String) throws {
        func invalid(_ problem: String) -> SpindleError { .invalidModel(path: path, problem: problem) }
        let spec = network.spec
        if file.hasAttribute("table_schema") {
            let schema: TableSchema
            do {
                schema = try JSONDecoder().decode(TableSchema.self, from: Data(try file.stringAttribute("table_schema").utf8))
            } catch is DecodingError {
                throw invalid("its table_schema attribute is not a valid table schema (JSON of the dataset's table_schema)")
            }
            guard schema.version <= 1 else {
                throw invalid("its table_schema version \(schema.version) is newer than this Spindle understands (1); upgrade Spindle")
            }
            guard schema.featureCount == spec.inputCount else {
                throw invalid("its table_schema makes \(schema.featureCount) features, but the network takes \(spec.inputCount)")
            }
            tableSchema = schema
        }
        if file.hasAttribute("class_names") {
            let names = try file.stringArrayAttribute("class_names")
            guard names.count == spec.outputCount else {
                throw invalid("its class_names attribute has \(names.count) names, but the network has \(spec.outputCount) outputs")
            }
            classNames = names
        } else if let names = tableSchema?.classNames, names.count == spec.outputCount {
            classNames = names
        }
        guard file.exists("early_stopping") else { return }
        let group = try file.openGroup("early_stopping")
        var state = EarlyStopping.State()
        if group.hasAttribute("best_epoch") {
            state.bestEpoch = try group.intAttribute("best_epoch")
            state.bestValue = try group.doubleAttribute("best_value")
            guard state.bestEpoch! >= 1, state.bestEpoch! <= max(epochs, 1) else {
                throw invalid("/early_stopping best_epoch \(state.bestEpoch!) is out of range; expected 1 to \(epochs)")
            }
        }
        state.epochsWithoutImprovement = try group.intAttribute("epochs_without_improvement")
        guard state.epochsWithoutImprovement >= 0 else {
            throw invalid("/early_stopping epochs_without_improvement \(state.epochsWithoutImprovement) is negative")
        }
        state.stopped = try group.intAttribute("stopped") != 0
        state.restored = try group.intAttribute("restored") != 0
        if group.exists("best_parameters") {
            let best: [Float] = try group.openDataset("best_parameters").readAll()
            let count = network.layout.parameterCount
            guard best.count == count else {
                throw invalid("/early_stopping/best_parameters has \(best.count) values, expected \(count) (one per parameter)")
            }
            guard best.allSatisfy(\.isFinite) else { throw invalid("/early_stopping/best_parameters holds non-finite weights") }
            state.bestParameters = best
        } else if state.bestEpoch != nil, !state.restored {
            throw invalid("/early_stopping has a best_epoch but no best_parameters")
        }
        earlyStopping = state
    }
}
