import Foundation
import HDF5Kit
import Spindle

/// The rows a trained model runs on for `eval` and `predict`: an HDF5 dataset, or a raw CSV
/// table encoded with the table schema the model keeps from `spindle import csv`.
enum ModelInput {
    /// Whether `path` names a CSV table (by its extension) rather than an HDF5 file.
    static func isCSV(_ path: String) -> Bool {
        let name = path.lowercased()
        return [".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz"].contains { name.hasSuffix($0) }
    }

    /// The CSV table at `path`, encoded as the training table was.
    /// - Throws: `SpindleCLIError` when the model keeps no table schema; `ImportError` for a
    ///   table that does not fit it (a missing column, named).
    static func csv(_ path: String, model: ModelFile, modelPath: String, requireTargets: Bool) throws -> CSVRows {
        guard let schema = model.tableSchema else {
            throw SpindleCLIError("\(modelPath) holds no table schema, so it cannot read the raw CSV \(path): it was trained " +
                                  "on a dataset that `spindle import csv` did not make (give an HDF5 dataset instead)")
        }
        let rows = try CSVRows(path: path, schema: schema, requireTargets: requireTargets)
        for warning in rows.warnings { note("spindle: warning: \(warning)") }
        return rows
    }

    /// The class names to show: the model's, else the dataset file's root attribute
    /// `class_names` (an HDF5 file), when it holds one name per class.
    static func classNames(_ model: ModelFile, data path: String, classes: Int) -> [String]? {
        if let names = model.classNames, names.count == classes { return names }
        guard !isCSV(path), let file = try? DatasetReader.openFile(path) else { return nil }
        return Eval.classNames(file, path: path, classes: classes)
    }
}
