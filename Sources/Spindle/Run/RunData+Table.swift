import Foundation
import HDF5Kit

extension RunData {
    /// Takes the dataset file's root attributes `table_schema` (JSON, written by `spindle import
    /// csv`) and `class_names` when they fit the data: a schema that makes the training split's
    /// F features, names one per class. One that does not (a file edited by other tools) is left
    /// out with a warning: training does not need it, only `predict` on raw CSV does.
    func readTableMetadata(_ file: H5File, features: Int, labels: Bool) {
        if file.hasAttribute("table_schema") {
            let schema = (try? file.stringAttribute("table_schema"))
                .flatMap { try? JSONDecoder().decode(TableSchema.self, from: Data($0.utf8)) }
            if let schema, schema.version <= 1, schema.featureCount == features {
                tableSchema = schema
            } else {
                warnings.append("\(path): ignoring attribute table_schema: " + (schema.map {
                    "it makes \($0.featureCount) features, but /train/x has \(features)" } ?? "not a table schema Spindle reads") +
                    "; the model will not read raw CSV")
            }
        }
        guard labels else { return }
        let names = file.hasAttribute("class_names") ? try? file.stringArrayAttribute("class_names") : tableSchema?.classNames
        if let names {
            if names.count == outputs {
                classNames = names
            } else {
                warnings.append("\(path): ignoring attribute class_names: \(names.count) names for \(outputs) classes")
            }
        }
    }
}
