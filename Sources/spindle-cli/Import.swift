import ArgumentParser
import Foundation
import Spindle

/// `spindle import`: build a Spindle dataset file from files users already have.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an HDF5 dataset file from IDX (MNIST, Fashion-MNIST), CSV or NPY files.",
        subcommands: [FashionMNIST.self, IDX.self, CSV.self, NPY.self])
}

/// Options every importer shares: where to write and how.
struct ImportOutput: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: "HDF5 file to write (replaced atomically if it exists).")
    var output: String

    @Option(parsing: .unconditional, help: "gzip level for the datasets, 1–9, or 0 for none.")
    var gzip = 1

    func validateLevel() throws {
        if !(0...9).contains(gzip) { throw ValidationError("invalid --gzip '\(gzip)': expected a level from 0 to 9") }
    }

    func write(_ splits: [(name: String, table: ImportedTable)], classNames: [String]? = nil) throws {
        try DatasetWriter.write(splits, to: output, gzipLevel: gzip, classNames: classNames)
        let summary = splits.map { "/\($0.name): \($0.table.rows.grouped) rows × \($0.table.featureCount) features" }
        note("spindle: wrote \(output) (\(summary.joined(separator: "; ")))")
    }
}

/// Checks an optional row limit.
func validateLimit(_ value: Int?, _ flag: String) throws {
    if let value, value <= 0 { throw ValidationError("invalid --\(flag) '\(value)': expected a positive number of rows") }
}

extension Import {
    /// The four standard IDX files of Fashion-MNIST (or MNIST) in one directory.
    struct FashionMNIST: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fashion-mnist",
            abstract: "Import Fashion-MNIST (or MNIST) from a directory of the four standard IDX files.",
            discussion: "Debian's dataset-fashion-mnist package installs them in /usr/share/datasets/fashion-mnist.")

        @Option(help: "Directory holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-….")
        var dir = "/usr/share/datasets/fashion-mnist"

        @Option(parsing: .unconditional, help: "Keep only the first N training rows (default: all).")
        var trainRows: Int?

        @Option(parsing: .unconditional, help: "Keep only the first N test rows (default: all).")
        var testRows: Int?

        @OptionGroup var out: ImportOutput

        static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

        func validate() throws {
            try out.validateLevel()
            try validateLimit(trainRows, "train-rows")
            try validateLimit(testRows, "test-rows")
        }

        func run() throws {
            try reportingErrors {
                func file(_ stem: String) -> String {
                    let plain = "\(dir)/\(stem)"
                    return FileManager.default.fileExists(atPath: plain) ? plain : plain + ".gz"
                }
                let train = try IDXReader.table(images: file("train-images-idx3-ubyte"),
                                                labels: file("train-labels-idx1-ubyte"), limit: trainRows)
                let test = try IDXReader.table(images: file("t10k-images-idx3-ubyte"),
                                               labels: file("t10k-labels-idx1-ubyte"), limit: testRows)
                let names = dir.contains("fashion") ? Self.classNames : nil
                try out.write([("train", train), ("test", test)], classNames: names)
            }
        }
    }

    /// IDX image and label files named one by one.
    struct IDX: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "idx", abstract: "Import IDX image and label files (gzip-compressed or not).")

        @Argument(help: "Training images (idx3).") var images: String
        @Argument(help: "Training labels (idx1).") var labels: String
        @Option(help: "Test images (idx3) (default: no test split).") var testImages: String?
        @Option(help: "Test labels (idx1) (default: no test split).") var testLabels: String?
        @Option(parsing: .unconditional, help: "Keep only the first N training rows (default: all).") var trainRows: Int?
        @Option(parsing: .unconditional, help: "Keep only the first N test rows (default: all).") var testRows: Int?
        @OptionGroup var out: ImportOutput

        func validate() throws {
            try out.validateLevel()
            try validateLimit(trainRows, "train-rows")
            try validateLimit(testRows, "test-rows")
            if (testImages == nil) != (testLabels == nil) {
                throw ValidationError("--test-images and --test-labels go together: give both or neither")
            }
        }

        func run() throws {
            try reportingErrors {
                var splits = [("train", try IDXReader.table(images: images, labels: labels, limit: trainRows))]
                if let testImages, let testLabels {
                    splits.append(("test", try IDXReader.table(images: testImages, labels: testLabels, limit: testRows)))
                }
                try out.write(splits.map { (name: $0.0, table: $0.1) })
            }
        }
    }

    /// CSV tables: numeric and categorical columns, missing cells, class names.
    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csv", abstract: "Import CSV tables (one row per sample): numbers, categories, missing cells.",
            discussion: """
                Columns holding text are categorical and one-hot encoded with the training file's \
                categories (most frequent first); numeric cells that are missing are filled with the \
                training median. A label column of words becomes class indices with the names kept. \
                The schema is stored in the output (attribute table_schema, and /meta). The training \
                file is read twice, a block at a time, so files larger than memory import.
                """)

        @Argument(help: "Training CSV file (plain or gzip).") var train: String
        @Option(help: "Test CSV file with the same columns, encoded with the training file's schema (default: no test split).")
        var test: String?
        @Option(help: "Target column: 0-based index (negative from the end) or header name.")
        var labelColumn = "-1"
        @Option(parsing: .unconditional, help: "Treat N target columns as float regression targets instead of class labels (default: one column of class labels).")
        var regression: Int?
        @Flag(help: "Class labels are names even if they look like numbers (text labels are names anyway), mapped to 0..C-1 in sorted order.")
        var classNames = false
        @Option(name: [.customLong("delimiter"), .customLong("separator")],
                help: "Field delimiter: one ASCII character such as ',', ';' or '|', or 'tab'.")
        var delimiter = ","
        @Flag(help: "The first row is data, not a header (default: a header when the first row has text outside the label column).")
        var noHeader = false
        @Option(help: ArgumentHelp("Columns read as categories even if they hold numbers (names or 0-based indices, comma-separated; default: none, kinds are detected).",
                                   valueName: "cols"))
        var categorical: String?
        @Option(help: ArgumentHelp("Columns that must hold numbers: text in them is an error (default: none).", valueName: "cols"))
        var numeric: String?
        @Option(help: ArgumentHelp("Columns left out of the features (default: none).", valueName: "cols"))
        var ignore: String?
        @Option(help: ArgumentHelp("More cell values that mean missing, comma-separated (default: none beyond empty, NA, N/A, NaN, nan, null, NULL, ?).",
                                   valueName: "values"))
        var na: String?
        @Flag(help: "Add a 0/1 feature after each numeric column with missing cells in training.")
        var missingIndicators = false
        @Option(parsing: .unconditional, help: ArgumentHelp(
            "One-hot only the N most frequent categories of each column; the rest map to '<other>' (default: all, up to \(TableImportOptions.defaultCategoryLimit)).",
            valueName: "n"))
        var maxCategories: Int?
        @Flag(help: "Store features as uint8 (every value must be an integer 0–255, e.g. pixels; the whole file is read into memory).")
        var uint8 = false
        @OptionGroup var out: ImportOutput

        func validate() throws {
            try out.validateLevel()
            if let regression, regression <= 0 {
                throw ValidationError("invalid --regression '\(regression)': expected a positive number of target columns")
            }
            if regression != nil && classNames { throw ValidationError("--regression and --class-names exclude each other") }
            if separatorCharacter == nil {
                throw ValidationError("invalid --delimiter '\(delimiter)': expected one ASCII character such as ',', ';' or '|', or 'tab'")
            }
            if let maxCategories, maxCategories < 1 {
                throw ValidationError("invalid --max-categories '\(maxCategories)': expected a positive number of categories")
            }
            let tableOnly = [("--categorical", categorical != nil), ("--numeric", numeric != nil), ("--ignore", ignore != nil),
                             ("--na", na != nil), ("--missing-indicators", missingIndicators), ("--max-categories", maxCategories != nil)]
            if uint8, let flag = tableOnly.first(where: \.1) {
                throw ValidationError("--uint8 reads numeric pixel tables; it excludes \(flag.0)")
            }
        }

        private var separatorCharacter: Character? {
            if delimiter == "tab" || delimiter == "\\t" { return "\t" }
            guard delimiter.count == 1, let c = delimiter.first, c.isASCII else { return nil }
            return c
        }

        /// "a,b,3" → [.name("a"), .name("b"), .name("3")]: the table importer reads a name that is a
        /// number as an index unless the header has it.
        private static func columns(_ list: String?) -> [CSVOptions.Column] {
            (list ?? "").split(separator: ",").map { .name(String($0)) }
        }

        func run() throws {
            try reportingErrors {
                let column: CSVOptions.Column = Int(labelColumn).map { .index($0) } ?? .name(labelColumn)
                let targets: CSVOptions.Targets = regression.map { .regression(count: $0) }
                    ?? (classNames ? .classNames : .classIndices)
                let options = CSVOptions(header: noHeader ? .absent : .auto, separator: separatorCharacter ?? ",",
                                         labelColumn: column, targets: targets, featureType: uint8 ? .uint8 : .float32)
                guard !uint8 else { return try runNumeric(options) }
                let extra = na?.split(separator: ",").map(String.init) ?? []
                let table = TableImportOptions(csv: options, categorical: Self.columns(categorical),
                                               numeric: Self.columns(numeric), ignore: Self.columns(ignore),
                                               missingValues: TableImportOptions.defaultMissingValues + extra,
                                               missingIndicators: missingIndicators, maxCategories: maxCategories,
                                               gzipLevel: out.gzip)
                let report = try CSVTableImporter.importTables(train: train, test: test, options: table, to: out.output)
                for warning in report.warnings { note("spindle: warning: \(warning)") }
                let f = report.schema.featureCount
                let summary = report.splits.map { "/\($0.name): \($0.rows.grouped) rows × \(f) features" }
                note("spindle: wrote \(out.output) (\(summary.joined(separator: "; ")))")
            }
        }

        /// --uint8: the whole-file numeric reader, as before tables.
        private func runNumeric(_ options: CSVOptions) throws {
            let first = try CSVReader.read(train, options: options)
            var splits = [(name: "train", table: first.table)]
            if let test {
                // The test file maps class names through the training file's classes.
                var testOptions = options
                testOptions.knownClassNames = first.classNames
                splits.append((name: "test", table: try CSVReader.read(test, options: testOptions).table))
            }
            try out.write(splits, classNames: first.classNames)
        }
    }

    /// NumPy .npy arrays.
    struct NPY: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "npy", abstract: "Import NumPy .npy arrays: features [N, F] (or [N, H, W]) and targets [N].")

        @Argument(help: "Training features (.npy).") var x: String
        @Argument(help: "Training targets (.npy): integer labels or float values.") var y: String
        @Option(help: "Test features (.npy) (default: no test split).") var testX: String?
        @Option(help: "Test targets (.npy) (default: no test split).") var testY: String?
        @OptionGroup var out: ImportOutput

        func validate() throws {
            try out.validateLevel()
            if (testX == nil) != (testY == nil) { throw ValidationError("--test-x and --test-y go together: give both or neither") }
        }

        func run() throws {
            try reportingErrors {
                var splits = [(name: "train", table: try NPYReader.table(x: x, y: y))]
                if let testX, let testY { splits.append((name: "test", table: try NPYReader.table(x: testX, y: testY))) }
                try out.write(splits)
            }
        }
    }
}
