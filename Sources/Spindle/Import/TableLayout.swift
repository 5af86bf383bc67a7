/// The columns of a CSV table as decided from its first record: whether it is a header, the
/// column names, the target columns, and the role the options give each column.
struct TableLayout {
    let file: String
    let hasHeader: Bool
    /// One per column: the header's names, or "column_1", "column_2", … without a header.
    let names: [String]
    let roles: [TableProfile.Role]
    let targetColumns: Range<Int>

    var columnCount: Int { names.count }

    /// - Parameters:
    ///   - fields: the file's first record, in `scanner`'s bytes.
    init(first fields: [CSVField], line: Int, scanner: CSVScanner, options: TableImportOptions) throws {
        file = scanner.file
        var csv = options.csv
        if csv.header == .auto, case .index(let index) = csv.labelColumn {
            // A header is a first row with text outside the target columns, where a data row has
            // numbers or categories; a headerless table with text columns needs --no-header.
            let width = csv.targetWidth, count = fields.count
            let first = index < 0 ? count + index - width + 1 : index
            let targets = first..<(first + width)
            let cells = TableCells(missingValues: options.missingValues)
            csv.header = fields.indices.contains { column in
                !targets.contains(column) && !cells.isMissing(scanner.bytes, fields[column])
                    && TableCells.number(scanner.bytes, fields[column]) == nil
            } ? .present : .absent
        }
        // The numeric reader's layout resolves the label column and its errors, the same for both.
        let numeric = try CSVLayout(first: fields, line: line, scanner: scanner, options: csv)
        hasHeader = numeric.hasHeader
        names = numeric.header ?? (1...fields.count).map { "column_\($0)" }
        targetColumns = numeric.targetColumns

        var kinds = [TableProfile.Role](repeating: .auto, count: fields.count)
        for column in targetColumns { kinds[column] = .target }
        let header = numeric.header, path = scanner.file
        func resolve(_ list: [CSVOptions.Column], _ flag: String, _ role: TableProfile.Role) throws {
            for column in list {
                let index = try Self.index(of: column, header: header, count: fields.count, flag: flag, file: path)
                guard kinds[index] == .auto else {
                    let what = kinds[index] == .target ? "the target column" : "named by another option"
                    throw ImportError(file: path, reason: .badOption,
                                      message: "--\(flag) \(Self.describe(column)): column \(index + 1) is \(what)")
                }
                kinds[index] = role
            }
        }
        try resolve(options.ignore, "ignore", .ignored)
        try resolve(options.categorical, "categorical", .categorical)
        try resolve(options.numeric, "numeric", .numeric)
        self.roles = kinds
        guard kinds.contains(where: { $0 != .target && $0 != .ignored }) else {
            throw ImportError(file: file, reason: .badOption,
                              message: "no feature columns left of \(fields.count) (expected at least one not ignored or a target)")
        }
    }

    /// The 0-based column `column` names: a header name, else (or failing that) an index.
    private static func index(of column: CSVOptions.Column, header: [String]?, count: Int, flag: String,
                              file: String) throws -> Int {
        switch column {
        case .name(let name):
            if let found = header?.firstIndex(of: name) { return found }
            if let index = Int(name) { return try self.index(of: .index(index), header: header, count: count, flag: flag, file: file) }
            let known = header.map { names in
                " (found " + names.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 8 ? ", …)" : ")")
            } ?? " (the file has no header; name columns by 0-based index)"
            throw ImportError(file: file, reason: .badOption, message: "--\(flag): no column named '\(name)'\(known)")
        case .index(let index):
            let resolved = index < 0 ? count + index : index
            guard (0..<count).contains(resolved) else {
                throw ImportError(file: file, reason: .badOption,
                                  message: "--\(flag): column \(index) is outside the \(count) columns "
                                      + "(expected an index from \(-count) to \(count - 1))")
            }
            return resolved
        }
    }

    private static func describe(_ column: CSVOptions.Column) -> String {
        switch column {
        case .name(let name): "'\(name)'"
        case .index(let index): "\(index)"
        }
    }

    /// A column's name for a message or a flag: the header name, or its 0-based index.
    func name(_ column: Int) -> String { hasHeader ? names[column] : "\(column)" }

    /// A ragged row: "data.csv line 9: 4 fields, expected 5 like the first row" (of the training
    /// file, when `file` is another).
    func checkWidth(_ count: Int, line: Int, file: String? = nil) throws {
        guard count == columnCount else {
            let like = file == nil ? "the first row" : "the training file"
            throw ImportError(file: file ?? self.file, location: "line \(line)", reason: .mismatch,
                              message: "\(count) fields, expected \(columnCount) like \(like)")
        }
    }

    /// "data.csv line 17, column 3 (age): …", 1-based like an editor.
    func invalid(_ line: Int, _ column: Int, _ message: String) -> ImportError {
        let name = hasHeader ? " (\(names[column]))" : ""
        return ImportError(file: file, location: "line \(line), column \(column + 1)\(name)", reason: .invalidValue,
                           message: message)
    }
}
