/// The first pass over a training CSV: each column's kind, missing cells, category counts and
/// median, and the label's classes — everything the schema needs, in memory bounded by the
/// category limits and `StreamingMedian`'s, not by the row count.
struct TableProfile {
    /// What the options say a column is; `.auto` columns are numeric until a cell holds text.
    enum Role: Equatable { case auto, numeric, categorical, ignored, target }

    struct ColumnState {
        var role: Role
        /// An auto column that met text: categorical from then on.
        var sawText = false
        /// Category counts (categorical), or the distinct texts of a still-numeric auto column
        /// while there are at most `trackLimit` of them (so that it can turn categorical).
        var categories = CategoryTable()
        var tracking = true
        var missing = 0
        var median: StreamingMedian

        var isCategorical: Bool { role == .categorical || (role == .auto && sawText) }
    }

    let layout: TableLayout
    let cells: TableCells
    let options: TableImportOptions
    private(set) var columns: [ColumnState]
    private(set) var rows = 0
    /// Label texts and counts (classification), and the first label that is a number but not a
    /// class index, reported if the labels turn out to be numbers.
    private var labels = CategoryTable()
    private var labelHasText = false
    private var badIndex: (line: Int, column: Int, text: String)?

    /// Distinct numbers an auto column may hold and still become categorical when text appears.
    var trackLimit: Int { max(1000, options.maxCategories ?? 0) }
    /// Distinct values a categorical column may hold: without `--max-categories` each becomes a
    /// one-hot feature, so the limit is low; with it only the counting costs memory.
    var categoryLimit: Int { options.maxCategories == nil ? TableImportOptions.defaultCategoryLimit : 1 << 20 }

    init(layout: TableLayout, options: TableImportOptions) {
        self.layout = layout
        self.options = options
        cells = TableCells(missingValues: options.missingValues)
        // Exact medians for up to 8M values in all (32 MB), shared by the numeric columns.
        let numeric = max(1, layout.roles.filter { $0 == .auto || $0 == .numeric }.count)
        let exactLimit = options.exactMedianValues / numeric
        columns = layout.roles.map { ColumnState(role: $0, median: StreamingMedian(exactLimit: exactLimit)) }
    }

    /// Profiles one record that starts on `line`.
    mutating func add(_ fields: [CSVField], bytes: [UInt8], line: Int) throws {
        try layout.checkWidth(fields.count, line: line)
        // Numbers are parsed from a pointer to the record's bytes (no bounds check per digit).
        try bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!  // a record has at least one byte
            for c in 0..<fields.count {
                let field = fields[c]
                switch columns[c].role {
                case .ignored:
                    continue
                case .target:
                    try addTarget(field, bytes, line: line, column: c)
                case .categorical:
                    try addCategory(field, bytes, line: line, column: c)
                case .auto where columns[c].sawText:
                    try addCategory(field, bytes, line: line, column: c)
                case .auto, .numeric:
                    if cells.isMissing(bytes, field) {
                        columns[c].missing += 1
                        continue
                    }
                    guard let value = TableCells.number(base, bytes, field) else {
                        try turnCategorical(field, bytes, line: line, column: c)
                        continue
                    }
                    let float = Float(value)
                    guard float.isFinite else {
                        throw layout.invalid(line, c, "'\(TableCells.text(bytes, field))' is not a finite float32 (features must be finite)")
                    }
                    columns[c].median.add(float)
                    if columns[c].role == .auto, columns[c].tracking { try track(field, bytes, column: c) }
                }
            }
        }
        rows += 1
    }

    /// Counts a number's text in a still-numeric auto column, until it has too many to turn categorical.
    private mutating func track(_ field: CSVField, _ bytes: [UInt8], column c: Int) throws {
        let (key, range) = TableCells.key(bytes, field)
        _ = columns[c].categories.index(key, range, add: true)
        if columns[c].categories.distinct > trackLimit {
            columns[c].tracking = false
            columns[c].categories = CategoryTable()
        }
    }

    /// A text cell in a column so far numeric.
    private mutating func turnCategorical(_ field: CSVField, _ bytes: [UInt8], line: Int, column c: Int) throws {
        let text = TableCells.text(bytes, field)
        guard columns[c].role == .auto else {
            throw layout.invalid(line, c, "'\(text)' is not a number (the column is --numeric)")
        }
        guard columns[c].tracking else {
            throw layout.invalid(line, c, "'\(text)' in a column of more than \(trackLimit.grouped) distinct numbers "
                + "(expected a number; pass --categorical \(layout.name(c)) to read the column as categories)")
        }
        // The numbers seen so far become categories like any text, and missing cells stay missing.
        columns[c].sawText = true
        columns[c].median = StreamingMedian(exactLimit: 1)
        try addCategory(field, bytes, line: line, column: c)
    }

    private mutating func addCategory(_ field: CSVField, _ bytes: [UInt8], line: Int, column c: Int) throws {
        if cells.isMissing(bytes, field) {
            columns[c].missing += 1
            return
        }
        let (key, range) = TableCells.key(bytes, field)
        _ = columns[c].categories.index(key, range, add: true)
        guard columns[c].categories.distinct <= categoryLimit else {
            let name = layout.name(c)
            if options.maxCategories == nil {
                throw layout.invalid(line, c, "more than \(categoryLimit.grouped) distinct values in a categorical column "
                    + "(pass --max-categories N to one-hot the N most frequent and map the rest to '\(TableSchema.otherCategory)', "
                    + "or --ignore \(name))")
            }
            throw layout.invalid(line, c, "more than \(categoryLimit.grouped) distinct values in a categorical column "
                + "(an identifier or free text? pass --ignore \(name))")
        }
    }

    private mutating func addTarget(_ field: CSVField, _ bytes: [UInt8], line: Int, column c: Int) throws {
        let text = { TableCells.text(bytes, field) }
        if case .regression = options.csv.targets {
            guard !cells.isMissing(bytes, field) else { throw layout.invalid(line, c, "missing target '\(text())' (expected a number in every row)") }
            guard let value = TableCells.number(bytes, field) else { throw layout.invalid(line, c, "'\(text())' is not a number") }
            guard Float(value).isFinite else {
                throw layout.invalid(line, c, "'\(text())' is not a finite float32 (targets must be finite)")
            }
            return
        }
        guard !cells.isMissing(bytes, field) else {
            throw layout.invalid(line, c, "missing class label '\(text())' (expected a class in every row)")
        }
        let (key, range) = TableCells.key(bytes, field)
        _ = labels.index(key, range, add: true)
        if labelHasText || options.csv.targets == .classNames { return }
        if let number = TableCells.number(bytes, field) {
            if badIndex == nil, !(number.rounded() == number && number >= 0 && number < 0x1p31) {
                badIndex = (line, c, text())
            }
        } else {
            labelHasText = true
        }
        guard labels.distinct <= TableImportOptions.defaultCategoryLimit else {
            throw layout.invalid(line, c, "more than \(TableImportOptions.defaultCategoryLimit.grouped) distinct class labels "
                + "(expected classes; for real-valued targets pass --regression 1)")
        }
    }

    /// What the target column holds, decided from every training row.
    func targets() throws -> TableSchema.Targets {
        switch options.csv.targets {
        case .regression(let count): return .regression(width: count)
        case .classNames: return .classNames(labelNames())
        case .classIndices:
            if labelHasText { return .classNames(labelNames()) }
            if let bad = badIndex {
                throw layout.invalid(bad.line, bad.column, "'\(bad.text)' is not an integer class label "
                    + "(expected 0, 1, 2, …; pass --regression 1 for a real-valued target)")
            }
            return .classIndices
        }
    }

    /// Sorted, as `CSVReader` sorts class names, so the two importers agree.
    private func labelNames() -> [String] {
        labels.keys.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }
}

extension TableProfile {
    /// The schema the profile implies: kinds, medians, vocabularies (most frequent first, ties in
    /// byte order, cut to `--max-categories`), and the targets.
    func schema() throws -> TableSchema {
        let targets = try self.targets()
        let columns = columns.enumerated().map { c, state -> TableSchema.Column in
            let name = layout.names[c]
            switch state.role {
            case .ignored: return TableSchema.Column(name: name, kind: .ignored)
            case .target: return TableSchema.Column(name: name, kind: .target)
            case _ where state.isCategorical:
                let table = state.categories
                var order = Array(0..<table.distinct)
                order.sort { a, b in
                    table.counts[a] != table.counts[b] ? table.counts[a] > table.counts[b]
                        : table.keys[a].lexicographicallyPrecedes(table.keys[b])
                }
                if let limit = options.maxCategories { order = Array(order.prefix(limit)) }
                return TableSchema.Column(name: name, kind: .categorical,
                                          categories: order.map { String(decoding: table.keys[$0], as: UTF8.self) })
            default:
                // A column with no numbers at all (every cell missing) is filled with 0.
                return TableSchema.Column(name: name, kind: .numeric, fill: state.median.median() ?? 0,
                                          missingIndicator: options.missingIndicators && state.missing > 0)
            }
        }
        return TableSchema(columns: columns, targets: targets, missingValues: options.missingValues)
    }
}
