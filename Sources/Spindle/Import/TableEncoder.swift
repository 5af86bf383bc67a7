/// Turns CSV records into feature rows (F floats) and targets with a `TableSchema`: the second
/// pass of an import, and `TableSchema.encode(row:)`.
///
/// Category lookups hash the field's bytes in place (`CategoryTable`), so encoding allocates
/// nothing per cell.
struct TableEncoder {
    let schema: TableSchema
    /// For messages: the file, and whether column names come from a header.
    let file: String
    let hasHeader: Bool
    let featureCount: Int
    private let cells: TableCells
    private let plans: [Plan]
    /// Class name → index, for named classes.
    private let classes: CategoryTable?
    /// Per column: cells mapped to `<other>` because their value is not in the vocabulary,
    /// and the first few such values.
    private(set) var unseen: [Int]
    private(set) var unseenExamples: [[String]]

    private enum Plan {
        case numeric(offset: Int, fill: Float, indicator: Bool)
        case categorical(offset: Int, vocabulary: CategoryTable, count: Int)
        case ignored
        case target(index: Int)
    }

    init(schema: TableSchema, file: String, hasHeader: Bool) {
        self.schema = schema
        self.file = file
        self.hasHeader = hasHeader
        cells = TableCells(missingValues: schema.missingValues)
        var offset = 0, targets = 0
        plans = schema.columns.map { column in
            defer { offset += column.width }
            switch column.kind {
            case .numeric:
                return .numeric(offset: offset, fill: column.fill ?? 0, indicator: column.missingIndicator)
            case .categorical:
                var vocabulary = CategoryTable()
                for category in column.categories ?? [] { vocabulary.insert(Array(category.utf8), count: 0) }
                return .categorical(offset: offset, vocabulary: vocabulary, count: column.categories?.count ?? 0)
            case .ignored:
                return .ignored
            case .target:
                defer { targets += 1 }
                return .target(index: targets)
            }
        }
        featureCount = offset
        if case .classNames(let names) = schema.targets {
            var table = CategoryTable()
            for name in names { table.insert(Array(name.utf8), count: 0) }
            classes = table
        } else {
            classes = nil
        }
        unseen = Array(repeating: 0, count: schema.columns.count)
        unseenExamples = Array(repeating: [], count: schema.columns.count)
    }

    /// Adds `other`'s counts of values mapped to `<other>` (an encoder that did other rows of
    /// the same file), keeping the first three examples in row order.
    mutating func absorbUnseen(_ other: TableEncoder) {
        for c in unseen.indices {
            unseen[c] += other.unseen[c]
            unseenExamples[c] = Array((unseenExamples[c] + other.unseenExamples[c]).prefix(3))
        }
    }

    /// Columns in a record: all of them, or all but the targets (`hasTargets` false).
    func expectedFields(hasTargets: Bool) -> Int {
        hasTargets ? schema.columns.count : schema.columns.count - schema.columns.filter { $0.kind == .target }.count
    }

    /// Encodes one record that starts on `line`.
    /// - Parameters:
    ///   - x: room for F features.
    ///   - label: the class index, for class targets; `values`: T regression targets. Both are
    ///     ignored when the record has no target columns (`hasTargets` false).
    mutating func encode(_ fields: [CSVField], _ bytes: [UInt8], line: Int, hasTargets: Bool,
                         x: UnsafeMutablePointer<Float>, label: UnsafeMutablePointer<Int64>,
                         values: UnsafeMutablePointer<Float>) throws {
        let expected = expectedFields(hasTargets: hasTargets)
        guard fields.count == expected else {
            throw ImportError(file: file, location: "line \(line)", reason: .mismatch,
                              message: "\(fields.count) fields, expected \(expected)"
                                  + (hasTargets ? " like the training file" : " (the training file's columns but the target)"))
        }
        var f = 0
        // Numbers are parsed from a pointer to the record's bytes (no bounds check per digit).
        try bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!  // the record has at least one byte
            for c in plans.indices {
                switch plans[c] {
                case .target(let t):
                    guard hasTargets else { continue }
                    try encodeTarget(fields[f], bytes, line: line, at: (c, f), t: t, label: label, values: values)
                case .ignored:
                    break
                case .numeric(let offset, let fill, let indicator):
                    let field = fields[f]
                    if cells.isMissing(bytes, field) {
                        x[offset] = fill
                        if indicator { x[offset + 1] = 1 }
                    } else {
                        guard let value = TableCells.number(base, bytes, field) else {
                            throw invalid(line, (c, f), "'\(TableCells.text(bytes, field))' is not a number (the column is numeric in training)")
                        }
                        let float = Float(value)
                        guard float.isFinite else {
                            throw invalid(line, (c, f), "'\(TableCells.text(bytes, field))' is not a finite float32 (features must be finite)")
                        }
                        x[offset] = float
                        if indicator { x[offset + 1] = 0 }
                    }
                case .categorical(let offset, let vocabulary, let count):
                    let field = fields[f]
                    (x + offset).update(repeating: 0, count: count + 2)
                    if cells.isMissing(bytes, field) {
                        x[offset + count] = 1
                    } else {
                        let (key, range) = TableCells.key(bytes, field)
                        if let k = vocabulary.lookup(key, range) {
                            x[offset + k] = 1
                        } else {
                            x[offset + count + 1] = 1
                            unseen[c] += 1
                            if unseenExamples[c].count < 3 { unseenExamples[c].append(TableCells.text(bytes, field)) }
                        }
                    }
                }
                f += 1
            }
        }
    }

    private func encodeTarget(_ field: CSVField, _ bytes: [UInt8], line: Int, at c: (Int, Int), t: Int,
                              label: UnsafeMutablePointer<Int64>, values: UnsafeMutablePointer<Float>) throws {
        let text = { TableCells.text(bytes, field) }
        switch schema.targets {
        case .regression:
            guard let value = TableCells.number(bytes, field), Float(value).isFinite else {
                throw invalid(line, c, cells.isMissing(bytes, field) ? "missing target '\(text())' (expected a number in every row)"
                                                                     : "'\(text())' is not a finite number (expected a real-valued target)")
            }
            values[t] = Float(value)
        case .classIndices:
            guard let value = TableCells.number(bytes, field), value.rounded() == value, value >= 0, value < 0x1p31 else {
                throw invalid(line, c, "'\(text())' is not an integer class label (expected 0, 1, 2, …)")
            }
            label.pointee = Int64(value)
        case .classNames(let names):
            let (key, range) = TableCells.key(bytes, field)
            guard let k = classes?.lookup(key, range) else {
                let known = names.prefix(10).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 10 ? ", …" : "")
                throw invalid(line, c, "class '\(text())' is not one of the \(names.count) classes of the training file (\(known))")
            }
            label.pointee = Int64(k)
        }
    }

    /// `at`: the schema's column and the field's position in the record (they differ when the
    /// record has no target columns).
    private func invalid(_ line: Int, _ at: (column: Int, field: Int), _ message: String) -> ImportError {
        let name = hasHeader ? " (\(schema.columns[at.column].name))" : ""
        return ImportError(file: file, location: "line \(line), column \(at.field + 1)\(name)", reason: .invalidValue,
                           message: message)
    }
}
