import Foundation

/// A raw CSV table read through a model's `TableSchema`, as rows to evaluate or predict for:
/// `spindle predict MODEL new.csv` and `spindle eval MODEL labelled.csv`. Each row is encoded
/// exactly as `spindle import csv` encoded the training rows (`TableEncoder`).
///
/// Columns are matched by header name when the training file had a header, so the file may
/// order them differently and hold others, which are left out; without a header they are taken
/// by position. The target column(s) may be absent (rows to predict for).
///
/// The file is read twice, a block at a time, so memory does not grow with its rows: `init`
/// checks every row (so nothing is computed, or written, for a file with a bad row) and counts
/// them, and `forEachChunk` encodes them chunk by chunk.
public final class CSVRows: SequentialRows {
    public let path: String
    public let schema: TableSchema
    public let rows: Int
    public let featureCount: Int
    /// Whether the file holds the target column(s).
    public let hasTargets: Bool
    public let labelBound: Int?
    /// One line per column whose categories were not all seen in training (mapped to `<other>`).
    public let warnings: [String]
    private let separator: UInt8
    private let hasHeader: Bool
    /// For each field the encoder takes (the schema's columns, less the targets when absent):
    /// the file's column holding it; nil for an ignored column the file lacks.
    private let sources: [Int?]
    private let fileColumns: Int

    public var name: String { path }
    public var hasLabels: Bool { hasTargets && !isRegression }
    public var targetWidth: Int? {
        guard hasTargets, case .regression(let width) = schema.targets else { return nil }
        return width
    }
    private var isRegression: Bool { if case .regression = schema.targets { true } else { false } }

    /// Opens `path` and checks every row against `schema`.
    /// - Parameter requireTargets: refuse a file without the target column(s) (evaluation).
    /// - Throws: `ImportError` for a file that cannot be read, a column the model needs that
    ///   the file lacks (named), a ragged row (its line), or a cell the schema cannot encode.
    public init(path: String, schema: TableSchema, requireTargets: Bool) throws {
        self.path = path
        self.schema = schema
        featureCount = schema.featureCount
        let delimiter = schema.delimiter ?? ","
        guard let byte = delimiter.utf8.first, delimiter.utf8.count == 1 else {
            throw ImportError(file: path, reason: .badOption, message: "the model's table schema has delimiter '\(delimiter)'; expected one character")
        }
        separator = byte
        let columns = schema.columns
        let generated = columns.indices.map { "column_\($0 + 1)" }
        let hasHeader = schema.header ?? (columns.map(\.name) != generated)
        self.hasHeader = hasHeader

        var layout: (sources: [Int?], hasTargets: Bool, width: Int)?
        var count = 0, bound = 0
        var encoder: TableEncoder?
        var mapped: [CSVField] = []
        var x = [Float](repeating: 0, count: max(featureCount, 1)), label: Int64 = 0
        var values = [Float](repeating: 0, count: schema.targetCount)
        try CSVBlocks.forEachRecord(path, separator: byte) { fields, bytes, line, _ in
            guard let found = layout else {
                let first = try Self.layout(fields.map { TableCells.text(bytes, $0) }, schema: schema, hasHeader: hasHeader,
                                            requireTargets: requireTargets, path: path)
                layout = first
                encoder = TableEncoder(schema: schema, file: path, hasHeader: hasHeader)
                if hasHeader { return }
                return try Self.encode(fields, bytes, line: line, layout: first, encoder: &encoder!, mapped: &mapped,
                                       x: &x, label: &label, values: &values, count: &count, bound: &bound)
            }
            try Self.encode(fields, bytes, line: line, layout: found, encoder: &encoder!, mapped: &mapped,
                            x: &x, label: &label, values: &values, count: &count, bound: &bound)
        }
        guard let layout, let encoder, count > 0 else {
            throw ImportError(file: path, reason: .empty, message: "no data rows (expected a table with the training file's columns)")
        }
        rows = count
        sources = layout.sources
        hasTargets = layout.hasTargets
        fileColumns = layout.width
        let regression = if case .regression = schema.targets { true } else { false }
        labelBound = layout.hasTargets && !regression ? bound : nil
        warnings = columns.indices.compactMap { c in
            let unseen = encoder.unseen[c]
            guard unseen > 0 else { return nil }
            let examples = encoder.unseenExamples[c].map { "'\($0)'" }.joined(separator: ", ")
            return "\(path): column '\(columns[c].name)': \(unseen.grouped) value\(unseen == 1 ? "" : "s") not among the "
                + "training categories mapped to '\(TableSchema.otherCategory)' (e.g. \(examples))"
        }
    }

    /// Which file column feeds each field the encoder takes, from the first record.
    private static func layout(_ first: [String], schema: TableSchema, hasHeader: Bool, requireTargets: Bool,
                               path: String) throws -> (sources: [Int?], hasTargets: Bool, width: Int) {
        let columns = schema.columns
        let targets = columns.filter { $0.kind == .target }.map(\.name)
        guard hasHeader else {
            // By position: every column, or every column but the targets.
            let all = columns.count, features = all - targets.count
            guard first.count == all || first.count == features && !requireTargets else {
                let expected = requireTargets || targets.isEmpty ? "\(all)" : "\(all) (with the target) or \(features) (without)"
                throw ImportError(file: path, location: "line 1", reason: .mismatch,
                                  message: "\(first.count) fields, expected \(expected) like the training file")
            }
            let withTargets = first.count == all
            var sources: [Int?] = [], position = 0
            for column in columns where withTargets || column.kind != .target {
                sources.append(position)
                position += 1
            }
            return (sources, withTargets, first.count)
        }
        let found = first.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (first.count > 8 ? ", …" : "")
        let present = targets.filter { first.contains($0) }
        let withTargets = !targets.isEmpty && present.count == targets.count
        if requireTargets, !withTargets {
            let missing = targets.first { !first.contains($0) } ?? "?"
            throw ImportError(file: path, location: "line 1", reason: .mismatch,
                              message: "no column '\(missing)' (the model's target, which evaluation needs) in the header (found \(found))")
        }
        var sources: [Int?] = []
        for column in columns where withTargets || column.kind != .target {
            let index = first.firstIndex(of: column.name)
            if index == nil, column.kind == .numeric || column.kind == .categorical {
                throw ImportError(file: path, location: "line 1", reason: .mismatch,
                                  message: "no column '\(column.name)', which the model needs, in the header (found \(found))")
            }
            sources.append(index)
        }
        return (sources, withTargets, first.count)
    }

    /// Checks a record's width and encodes it into `x` (and its target), counting rows and the
    /// largest label + 1.
    private static func encode(_ fields: [CSVField], _ bytes: [UInt8], line: Int,
                               layout: (sources: [Int?], hasTargets: Bool, width: Int), encoder: inout TableEncoder,
                               mapped: inout [CSVField], x: inout [Float], label: inout Int64, values: inout [Float],
                               count: inout Int, bound: inout Int) throws {
        try map(fields, line: line, sources: layout.sources, width: layout.width, file: encoder.file, into: &mapped)
        try x.withUnsafeMutableBufferPointer { xb in
            try values.withUnsafeMutableBufferPointer { vb in
                try encoder.encode(mapped, bytes, line: line, hasTargets: layout.hasTargets, x: xb.baseAddress!,
                                   label: &label, values: vb.baseAddress!)
            }
        }
        count += 1
        if layout.hasTargets { bound = max(bound, Int(label) + 1) }
    }

    /// The record's fields in the encoder's order (an empty field for an absent ignored column).
    private static func map(_ fields: [CSVField], line: Int, sources: [Int?], width: Int, file: String,
                            into mapped: inout [CSVField]) throws {
        guard fields.count == width else {
            throw ImportError(file: file, location: "line \(line)", reason: .mismatch,
                              message: "\(fields.count) fields, expected \(width) like the first row")
        }
        mapped.removeAll(keepingCapacity: true)
        for source in sources {
            mapped.append(source.map { fields[$0] } ?? CSVField(start: 0, end: 0, quoted: false, escaped: false))
        }
    }

    /// Encodes the rows in file order, `chunk` at a time, each chunk a batch of an in-memory split.
    public func forEachChunk(rows chunk: Int, _ body: (Batch) throws -> Void) throws {
        precondition(chunk > 0, "CSVRows: chunks of \(chunk) rows")
        let f = featureCount, t = schema.targetCount
        let capacity = min(chunk, rows)
        var x = [Float](repeating: 0, count: capacity * max(f, 1))
        var labels = [Int64](repeating: 0, count: capacity), values = [Float](repeating: 0, count: capacity * max(t, 1))
        var encoder = TableEncoder(schema: schema, file: path, hasHeader: hasHeader)
        var mapped: [CSVField] = []
        var held = 0, seen = 0, header = hasHeader
        func flush() throws {
            guard held > 0 else { return }
            let targets: DatasetSplit.Targets
            if !hasTargets {
                targets = .none
            } else if isRegression {
                targets = .values(Array(values[..<(held * t)]), width: t)
            } else {
                targets = .labels(labels[..<held].map { Int32($0) })
            }
            let split = DatasetSplit(name: path, rows: held, featureCount: f,
                                     features: .float32(Array(x[..<(held * f)])), targets: targets)
            try body(Batch(split: split, indices: Array(0..<held)[...]))
            held = 0
        }
        try CSVBlocks.forEachRecord(path, separator: separator) { fields, bytes, line, _ in
            if header {
                header = false
                return
            }
            guard seen < rows else { throw CSVTableImporter.changed(path) }
            try Self.map(fields, line: line, sources: sources, width: fileColumns, file: path, into: &mapped)
            let r = held
            try x.withUnsafeMutableBufferPointer { xb in
                try labels.withUnsafeMutableBufferPointer { lb in
                    try values.withUnsafeMutableBufferPointer { vb in
                        try encoder.encode(mapped, bytes, line: line, hasTargets: hasTargets, x: xb.baseAddress! + r * f,
                                           label: lb.baseAddress! + r, values: vb.baseAddress! + r * t)
                    }
                }
            }
            held += 1
            seen += 1
            if held == capacity { try flush() }
        }
        try flush()
        guard seen == rows else { throw CSVTableImporter.changed(path) }
    }
}

extension TableSchema {
    /// T: the regression targets' width, else 1 (a class label).
    var targetCount: Int {
        if case .regression(let width) = targets { return width }
        return 1
    }
}
