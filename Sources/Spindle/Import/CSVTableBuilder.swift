/// Collects the data rows of a CSV file into feature and target buffers, checking every value.
struct CSVTableBuilder {
    let layout: CSVLayout
    let options: CSVOptions
    private(set) var rows = 0
    // features: (N, F) row-major; only the buffer for `options.featureType` is filled.
    private var floatFeatures: [Float] = []
    private var byteFeatures: [UInt8] = []
    // targets: labels (N), names (N) or values (N, T).
    private var labels: [Int64] = []
    private var names: [String] = []
    private var values: [Float] = []
    /// Class name → index, from `options.knownClassNames`.
    private let knownClasses: [String: Int64]?

    init(layout: CSVLayout, options: CSVOptions) {
        self.layout = layout
        self.options = options
        knownClasses = options.knownClassNames.map { names in
            Dictionary(names.enumerated().map { ($1, Int64($0)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Reserves room for the rows a file of `fileLength` bytes holds if every record is
    /// `recordLength` bytes long. Only a guess: reserved but untouched pages cost nothing, while
    /// growing a 200 MB buffer by doubling copies it several times.
    mutating func reserve(recordLength: Int, fileLength: Int) {
        let rows = min(fileLength / max(recordLength, 1) + 1, 1 << 26)
        switch options.featureType {
        case .float32: floatFeatures.reserveCapacity(rows * layout.featureCount)
        case .uint8: byteFeatures.reserveCapacity(rows * layout.featureCount)
        }
        switch options.targets {
        case .classIndices: labels.reserveCapacity(rows)
        case .classNames: names.reserveCapacity(rows)
        case .regression(let count): values.reserveCapacity(rows * count)
        }
    }

    /// Adds one record that starts on `line`.
    mutating func add(_ fields: [CSVField], line: Int, from scanner: CSVScanner) throws {
        guard fields.count == layout.columnCount else {
            throw ImportError(file: layout.file, location: "line \(line)", reason: .mismatch,
                              message: "\(fields.count) fields, expected \(layout.columnCount) like the first row")
        }
        for column in 0 ..< fields.count where !layout.targetColumns.contains(column) {
            let cell = Cell(layout: layout, line: line, column: column)
            switch options.featureType {
            // The parsers are static: calling a method on `self` here made Swift copy all of `self`
            // (160 bytes) for every field, a third of the time spent on an image CSV.
            case .float32:
                let value = try Self.number(fields[column], scanner, at: cell, role: "features")
                floatFeatures.append(value)
            case .uint8:
                let value = try Self.byte(fields[column], scanner, at: cell)
                byteFeatures.append(value)
            }
        }
        for column in layout.targetColumns {
            let cell = Cell(layout: layout, line: line, column: column)
            switch options.targets {
            case .classIndices:
                let label = try Self.classIndex(fields[column], scanner, at: cell)
                labels.append(label)
            case .classNames:
                let name = scanner.text(fields[column])
                guard !name.isEmpty else { throw Self.invalid(cell, "empty class name") }
                if let knownClasses {
                    guard let label = knownClasses[name] else {
                        let known = options.knownClassNames?.prefix(10).map { "'\($0)'" }.joined(separator: ", ") ?? ""
                        throw Self.invalid(cell, "class '\(name)' is not one of the \(knownClasses.count) known classes (\(known))")
                    }
                    labels.append(label)
                } else {
                    names.append(name)
                }
            case .regression:
                let value = try Self.number(fields[column], scanner, at: cell, role: "targets")
                values.append(value)
            }
        }
        rows += 1
    }

    /// The finished table, plus the class names for `.classNames` targets.
    func finish() throws -> (table: ImportedTable, classNames: [String]?) {
        guard rows > 0 else {
            throw ImportError(file: layout.file, reason: .empty,
                              message: "no data rows after the header (expected at least one)")
        }
        let features: ImportedTable.Features =
            options.featureType == .uint8 ? .uint8(byteFeatures) : .float32(floatFeatures)
        var classNames: [String]?
        let targets: ImportedTable.Targets
        switch options.targets {
        case .classIndices:
            targets = .labels(labels)
        case .classNames where knownClasses != nil:
            targets = .labels(labels)
            classNames = options.knownClassNames
        case .classNames:
            // Sorted order makes the mapping reproducible and independent of row order.
            let sorted = Set(names).sorted()
            let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, Int64($0)) })
            targets = .labels(names.map { index[$0]! })  // every name is a key by construction
            classNames = sorted
        case .regression(let count):
            targets = .values(values, width: count)
        }
        let table = ImportedTable(rows: rows, featureCount: layout.featureCount, features: features, targets: targets)
        return (table, classNames)
    }

    // MARK: - Values

    /// Where a value sits: 1-based line, 0-based column (shown 1-based).
    private struct Cell {
        var layout: CSVLayout
        var line: Int
        var column: Int
    }

    private static func invalid(_ cell: Cell, _ message: String) -> ImportError {
        ImportError(file: cell.layout.file, location: cell.layout.location(line: cell.line, column: cell.column),
                    reason: .invalidValue, message: message)
    }

    /// The field as a Double: bytes parsed directly when possible, else through `Double(String)`,
    /// which reads in the C locale whatever the process locale is, so "1.5" always works.
    private static func double(_ field: CSVField, _ scanner: CSVScanner) -> Double? {
        if !field.escaped, let fast = CSVNumberParser.fastDouble(scanner.bytes, field.start, field.end) {
            return fast
        }
        return Double(scanner.text(field))
    }

    /// A finite float32; `role` says what must be finite ("features", "targets").
    ///
    /// Parsed as a Double, then rounded to float32, as NumPy's `loadtxt(dtype=float32)` does.
    private static func number(_ field: CSVField, _ scanner: CSVScanner, at cell: Cell, role: String) throws -> Float {
        guard !field.isEmpty else { throw invalid(cell, "empty field (expected a number)") }
        guard let parsed = double(field, scanner) else {
            throw invalid(cell, "'\(scanner.text(field))' is not a number")
        }
        let value = Float(parsed)
        guard value.isFinite else {
            throw invalid(cell, "'\(scanner.text(field))' is not a finite float32 (\(role) must be finite)")
        }
        return value
    }

    /// An integer 0...255 for uint8 features.
    private static func byte(_ field: CSVField, _ scanner: CSVScanner, at cell: Cell) throws -> UInt8 {
        guard let parsed = double(field, scanner), parsed.rounded() == parsed, (0 ... 255).contains(parsed) else {
            let found = field.isEmpty ? "empty field" : "'\(scanner.text(field))'"
            throw invalid(cell, "\(found) is not an integer 0...255 (expected uint8 features)")
        }
        return UInt8(parsed)
    }

    /// A class index >= 0; "3.0" counts as 3 since some tools write integer columns as floats.
    private static func classIndex(_ field: CSVField, _ scanner: CSVScanner, at cell: Cell) throws -> Int64 {
        guard !field.isEmpty else { throw invalid(cell, "empty field (expected an integer class label)") }
        let text = scanner.text(field)
        let value: Int64
        if let exact = Int64(text) {
            value = exact
        } else if let real = Double(text), real.isFinite, real.rounded() == real, abs(real) < 0x1p63 {
            value = Int64(real)
        } else {
            let hint = Double(text) == nil ? "; use class-name targets for text labels" : ""
            throw invalid(cell, "'\(text)' is not an integer class label (expected 0, 1, 2, …\(hint))")
        }
        guard value >= 0 else {
            throw invalid(cell, "class label \(value) is negative (expected 0, 1, 2, …)")
        }
        return value
    }
}
