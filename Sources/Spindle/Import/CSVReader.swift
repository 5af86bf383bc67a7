/// Reads numeric CSV files: one sample per row, features and target(s) in columns.
///
/// Quoting follows RFC 4180; LF, CRLF and CR line ends, a UTF-8 byte-order mark and blank lines are
/// accepted; gzip-compressed files are read transparently. Errors name the file, line and column:
/// `data.csv line 17, column 3: 'abc' is not a number`.
public enum CSVReader {
    /// Reads `path` into a table of float32 (or uint8) features and class labels or regression targets.
    ///
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - options: header, separator, target column(s) and kind; see `CSVOptions`.
    /// - Returns: the table and, for `.classNames` targets, the names in class-index order
    ///   (sorted; class `i` is `classNames[i]`); `nil` otherwise.
    /// - Throws: `ImportError` for a missing or empty file, no data rows, a ragged row, a field that is
    ///   not a (finite) number, a class label that is negative or not an integer, and options that do
    ///   not fit the file (unknown column name, column index out of range, no feature columns left).
    public static func read(_ path: String, options: CSVOptions = CSVOptions()) throws
        -> (table: ImportedTable, classNames: [String]?)
    {
        let separator = try options.separatorByte(file: path)
        if case .regression(let count) = options.targets, count < 1 {
            throw ImportError(file: path, reason: .badOption,
                              message: "regression with \(count) target columns (expected at least 1)")
        }
        var scanner = CSVScanner(file: path, bytes: try ImportSource(path: path).readToEnd(), separator: separator)
        var fields: [CSVField] = []
        guard let firstLine = try scanner.next(into: &fields) else {
            throw ImportError(file: path, reason: .empty, message: "file is empty (expected rows of numbers)")
        }
        let layout = try CSVLayout(first: fields, line: firstLine, scanner: scanner, options: options)
        var builder = CSVTableBuilder(layout: layout, options: options)
        // Buffers are sized from the first data record's length; this guess only avoids copying
        // 200 MB buffers as they grow.
        let recordStart = layout.hasHeader ? scanner.position : 0
        if !layout.hasHeader {
            builder.reserve(recordLength: scanner.position, fileLength: scanner.bytes.count)
            try builder.add(fields, line: firstLine, from: scanner)
        }
        while let line = try scanner.next(into: &fields) {
            if builder.rows == 0 {
                builder.reserve(recordLength: scanner.position - recordStart, fileLength: scanner.bytes.count)
            }
            try builder.add(fields, line: line, from: scanner)
        }
        return try builder.finish()
    }
}

/// Which columns of a CSV file are targets and which are features, decided from its first record.
struct CSVLayout {
    let file: String
    let columnCount: Int
    /// Column names when the first row is a header.
    let header: [String]?
    /// The T target columns, 0-based.
    let targetColumns: Range<Int>

    var hasHeader: Bool { header != nil }
    var featureCount: Int { columnCount - targetColumns.count }

    init(first fields: [CSVField], line: Int, scanner: CSVScanner, options: CSVOptions) throws {
        file = scanner.file
        columnCount = fields.count
        let width = options.targetWidth
        let texts = fields.map(scanner.text)
        let hasHeader: Bool
        switch (options.header, options.labelColumn) {
        case (.present, _), (.auto, .name):
            hasHeader = true
        case (.absent, .name(let name)):
            throw ImportError(file: file, reason: .badOption,
                              message: "label column '\(name)' is given by name but the file is read without a header")
        case (.absent, .index):
            hasHeader = false
        case (.auto, .index(let index)):
            // A header is a first row with text where numbers belong; class names are text anyway.
            let targets = try Self.block(index: index, width: width, columns: fields.count, file: file, line: line)
            let mustBeNumbers = fields.indices.filter { options.targets != .classNames || !targets.contains($0) }
            hasHeader = mustBeNumbers.contains { Float(texts[$0]) == nil }
        }
        header = hasHeader ? texts : nil

        switch options.labelColumn {
        case .index(let index):
            targetColumns = try Self.block(index: index, width: width, columns: fields.count, file: file, line: line)
        case .name(let name):
            guard let first = texts.firstIndex(of: name) else {
                let known = texts.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (texts.count > 8 ? ", …" : "")
                throw ImportError(file: file, location: "line \(line)", reason: .badOption,
                                  message: "no column named '\(name)' in the header (found \(known))")
            }
            targetColumns = try Self.block(index: first, width: width, columns: fields.count, file: file, line: line)
        }
        guard featureCount > 0 else {
            throw ImportError(file: file, reason: .badOption,
                              message: "all \(columnCount) columns are targets (expected at least one feature column)")
        }
    }

    /// The T target columns anchored at `index`: a negative index is the block's last column
    /// counted from the end, a non-negative one its first column.
    private static func block(index: Int, width: Int, columns: Int, file: String, line: Int) throws -> Range<Int> {
        let first = index < 0 ? columns + index - width + 1 : index
        guard first >= 0, first + width <= columns else {
            let what = width == 1 ? "label column \(index) is" : "\(width) target columns at \(index) are"
            throw ImportError(file: file, location: "line \(line)", reason: .badOption,
                              message: "\(what) outside the \(columns) columns "
                                  + "(expected an index from \(-columns) to \(columns - 1))")
        }
        return first ..< first + width
    }

    /// "line 17, column 3 (petal_width)": 1-based like an editor, with the header name when known.
    func location(line: Int, column: Int) -> String {
        let name = header.map { " (\($0[column]))" } ?? ""
        return "line \(line), column \(column + 1)\(name)"
    }
}
