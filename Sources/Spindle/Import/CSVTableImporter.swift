import Foundation
import HDF5Kit

/// Imports CSV tables with numeric and categorical columns and missing cells into a dataset file,
/// in two streaming passes over the training file: the first learns the schema (`TableProfile`),
/// the second encodes each row with it (`TableEncoder`) and writes the rows a block at a time.
/// Memory holds one block of the CSV, one block of rows and the schema, whatever the row count.
///
/// The output holds /train/x (N, F) float32, /train/y (N) int64 labels or (N[, T]) float32 targets
/// (and /test/… for a test file, encoded with the training file's schema), the schema as JSON in
/// the root attribute `table_schema`, `class_names` for named classes, and /meta (docs/dataset-format.md).
public enum CSVTableImporter {
    /// What an import wrote.
    public struct Report: Sendable {
        public var schema: TableSchema
        /// Rows of each split, in order ("train", then "test").
        public var splits: [(name: String, rows: Int)]
        /// One line per column of the test file whose values were not all among the training
        /// categories: "test.csv: column 'city': 3 values not seen in training mapped to '<other>' (e.g. 'Oslo')".
        public var warnings: [String]
    }

    /// Imports `train` (and `test`) into a new dataset file at `output`, replaced atomically.
    /// - Throws: `ImportError` naming the file, line and column (a ragged row, a text cell in a
    ///   `--numeric` column, a categorical column with too many distinct values, an unknown column
    ///   in the options, a test file whose header or classes differ); `SpindleError` when the
    ///   output cannot be written. Nothing is left at `output` on failure.
    public static func importTables(train: String, test: String?, options: TableImportOptions,
                                    to output: String) throws -> Report {
        let separator = try options.csv.separatorByte(file: train)
        if case .regression(let count) = options.csv.targets, count < 1 {
            throw ImportError(file: train, reason: .badOption, message: "regression with \(count) target columns (expected at least 1)")
        }
        if let n = options.maxCategories, n < 1 {
            throw ImportError(file: train, reason: .badOption, message: "--max-categories \(n) (expected at least 1)")
        }
        let (layout, profile, trainFile) = try profileTrainingFile(train, separator: separator, options: options)
        var schema = try profile.schema()
        schema.header = layout.hasHeader
        schema.delimiter = String(UnicodeScalar(separator))
        let testFile = try test.map { try countRows($0, separator: separator, like: layout, blockBytes: options.readBlockBytes) }
        let testRows = testFile?.rows

        var warnings: [String] = []
        try AtomicFile.writeHDF5(to: output) { file in
            try writeMetadata(schema, to: file)
            try writeSplit("train", from: trainFile, hasHeader: layout.hasHeader, schema: schema,
                           separator: separator, options: options, file: file)
            if let test, let testFile {
                let encoder = try writeSplit("test", from: testFile, hasHeader: layout.hasHeader, schema: schema,
                                             separator: separator, options: options, file: file)
                for (c, count) in encoder.unseen.enumerated() where count > 0 {
                    let examples = encoder.unseenExamples[c].map { "'\($0)'" }.joined(separator: ", ")
                    warnings.append("\(test): column '\(schema.columns[c].name)': \(count.grouped) "
                        + "value\(count == 1 ? "" : "s") not among the training categories mapped to "
                        + "'\(TableSchema.otherCategory)' (e.g. \(examples))")
                }
            }
        }
        var splits = [(name: "train", rows: profile.rows)]
        if let testRows { splits.append((name: "test", rows: testRows)) }
        return Report(schema: schema, splits: splits, warnings: warnings)
    }

    /// Pass 1 over the training file.
    private static func profileTrainingFile(_ path: String, separator: UInt8, options: TableImportOptions) throws
        -> (TableLayout, TableProfile, SourceFile) {
        var layout: TableLayout?
        var profile: TableProfile?
        let (segments, compressed) = try CSVBlocks.forEachRecord(path, separator: separator,
                                                                 blockBytes: options.readBlockBytes) { fields, bytes, line, scanner in
            if profile == nil {
                let first = try TableLayout(first: fields, line: line, scanner: scanner, options: options)
                layout = first
                profile = TableProfile(layout: first, options: options)
                if first.hasHeader { return }
            }
            try profile!.add(fields, bytes: bytes, line: line)
        }
        guard let layout, let profile else {
            throw ImportError(file: path, reason: .empty, message: "file is empty (expected a table of rows)")
        }
        guard profile.rows > 0 else {
            throw ImportError(file: path, reason: .empty, message: "no data rows after the header (expected at least one)")
        }
        return (layout, profile, SourceFile(path: path, rows: profile.rows, segments: segments, compressed: compressed,
                                            blockBytes: options.readBlockBytes))
    }

    /// A CSV file as its first pass found it.
    struct SourceFile {
        var path: String
        /// Data rows (records after the header).
        var rows: Int
        var segments: [CSVBlocks.Segment]
        var compressed: Bool
        var blockBytes: Int
    }

    /// Pass 1 over a test file: its rows, and a header that matches the training file's.
    private static func countRows(_ path: String, separator: UInt8, like layout: TableLayout, blockBytes: Int) throws
        -> SourceFile {
        var rows = 0, first = true
        let (segments, compressed) = try CSVBlocks.forEachRecord(path, separator: separator,
                                                                 blockBytes: blockBytes) { fields, bytes, line, _ in
            defer { first = false }
            try layout.checkWidth(fields.count, line: line, file: path)
            if first, layout.hasHeader {
                let names = fields.map { TableCells.text(bytes, $0) }
                if let c = names.indices.first(where: { names[$0] != layout.names[$0] }) {
                    throw ImportError(file: path, location: "line \(line), column \(c + 1)", reason: .mismatch,
                                      message: "header '\(names[c])', expected '\(layout.names[c])' like the training file")
                }
                return
            }
            rows += 1
        }
        guard rows > 0 else {
            throw ImportError(file: path, reason: .empty, message: "no data rows (expected at least one)")
        }
        return SourceFile(path: path, rows: rows, segments: segments, compressed: compressed, blockBytes: blockBytes)
    }

    /// The datasets of one split: x (N, F) float32, y (N) int64 or (N[, T]) float32.
    struct SplitDatasets {
        var x: H5Dataset
        var y: H5Dataset
        /// T for regression targets, else nil (class labels).
        var regressionWidth: Int?
    }

    /// Pass 2 over one file: encodes its rows and writes /NAME/x and /NAME/y, on several threads
    /// for a plain file of several blocks.
    @discardableResult
    private static func writeSplit(_ name: String, from source: SourceFile, hasHeader: Bool, schema: TableSchema,
                                   separator: UInt8, options: TableImportOptions, file: H5File) throws -> TableEncoder {
        let encoder = TableEncoder(schema: schema, file: source.path, hasHeader: hasHeader)
        let f = encoder.featureCount, rows = source.rows
        let gzip = options.gzipLevel > 0 ? options.gzipLevel : nil
        let chunk = DatasetWriter.chunkRows(rowBytes: 4 * f, rows: rows)
        let group = try file.createGroup(name)
        let x = try group.createDataset("x", type: .float32, shape: [rows, f], chunkShape: [chunk, f], gzipLevel: gzip)
        let datasets: SplitDatasets
        switch schema.targets {
        case .regression(let t):
            let shape = t == 1 ? [rows] : [rows, t]
            let y = try group.createDataset("y", type: .float32, shape: shape,
                                            chunkShape: [DatasetWriter.chunkRows(rowBytes: 4 * t, rows: rows)] + shape.dropFirst(),
                                            gzipLevel: gzip)
            datasets = SplitDatasets(x: x, y: y, regressionWidth: t)
        case .classIndices, .classNames:
            let y = try group.createDataset("y", type: .int64, shape: [rows], chunkShape: [min(rows, 1 << 16)], gzipLevel: gzip)
            datasets = SplitDatasets(x: x, y: y, regressionWidth: nil)
        }
        let workers = min(options.workers, source.segments.count)
        if source.compressed || workers < 2 {
            return try encodeInOrder(source, hasHeader: hasHeader, encoder: encoder, separator: separator, into: datasets)
        }
        return try encodeSegments(source, hasHeader: hasHeader, encoder: encoder, separator: separator,
                                  workers: workers, into: datasets)
    }

    /// Pass 2 on the calling thread, reading the file from its start (gzip files, one block).
    private static func encodeInOrder(_ source: SourceFile, hasHeader: Bool, encoder: TableEncoder, separator: UInt8,
                                      into datasets: SplitDatasets) throws -> TableEncoder {
        var encoder = encoder
        let f = encoder.featureCount, rows = source.rows, width = datasets.regressionWidth ?? 1
        let chunk = datasets.x.chunkShape?.first ?? 1
        // A block of whole chunks, about 4 MB of features: x (B, F), labels (B), values (B, T).
        let blockRows = chunk * max(1, (4 << 20) / max(4 * f * chunk, 1))
        var block = EncodedBlock(rows: blockRows, features: f, width: width)
        var written = 0, first = true
        try CSVBlocks.forEachRecord(source.path, separator: separator, blockBytes: source.blockBytes) { fields, bytes, line, _ in
            if first {
                first = false
                if hasHeader { return }
            }
            guard written + block.held < rows else { throw changed(source.path) }
            try block.add(fields, bytes, line: line, encoder: &encoder)
            if block.held == blockRows {
                try block.write(at: written, to: datasets)
                written += block.held
                block.held = 0
            }
        }
        try block.write(at: written, to: datasets)
        written += block.held
        guard written == rows else { throw changed(source.path) }
        return encoder
    }

    static func changed(_ path: String) -> ImportError {
        ImportError(file: path, reason: .mismatch, message: "the file changed while it was imported (its row count differs between passes)")
    }

    /// The schema as JSON in the root attribute `table_schema`, `class_names`, and /meta for
    /// readers that want arrays: /meta/fill_values (one per column, NaN where not numeric),
    /// /meta/feature_columns (the column each feature comes from), and string attributes.
    private static func writeMetadata(_ schema: TableSchema, to file: H5File) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(schema), as: UTF8.self)
        try file.setAttribute("table_schema", json)
        if let names = schema.classNames { try file.setAttribute("class_names", names) }
        let meta = try file.createGroup("meta")
        let fills = schema.columns.map { $0.kind == .numeric ? ($0.fill ?? 0) : Float.nan }
        try meta.createDataset("fill_values", type: .float32, shape: [fills.count]).write(fills)
        let sources = schema.columns.enumerated().flatMap { c, column in [Int64](repeating: Int64(c), count: column.width) }
        try meta.createDataset("feature_columns", type: .int64, shape: [sources.count]).write(sources)
        // An attribute lives in its object's header, at most 64 KiB in the file format h5py
        // reads by default: 16 bytes a string, so long lists stay in the JSON alone.
        let limit = 3000
        if schema.columns.count <= limit {
            try meta.setAttribute("column_names", schema.columns.map(\.name))
            try meta.setAttribute("column_kinds", schema.columns.map(\.kind.rawValue))
        }
        if schema.featureCount <= limit { try meta.setAttribute("feature_names", schema.featureNames) }
    }
}
