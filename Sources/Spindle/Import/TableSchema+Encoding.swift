extension TableSchema {
    /// Rows encoded with a schema: features (N, F) row-major and, when the rows had them, targets.
    public struct EncodedRows: Sendable, Equatable {
        /// (N, F) row-major.
        public var features: [Float]
        /// (N) class indices, for class targets of rows that had them.
        public var labels: [Int64]?
        /// (N, T) regression targets, for rows that had them.
        public var values: [Float]?
        /// Cells mapped to `<other>` because their category is not in the vocabulary.
        public var unseenCategories: Int
    }

    /// Encodes raw table rows exactly as `spindle import csv` encoded the training rows.
    ///
    /// - Parameters:
    ///   - rows: the cells of each row as text, unquoted (what a CSV reader yields): one per
    ///     column of the training file, or, with `hasTargets` false, one per column but the targets.
    ///   - hasTargets: whether the rows hold the target column(s).
    ///   - source: names the rows in errors (a file name); row r is reported as "line r + 1".
    /// - Throws: `ImportError` for a row of the wrong width, a non-number in a numeric column, a
    ///   class name the schema does not know, or a missing target.
    public func encode(rows: [[String]], hasTargets: Bool, source: String = "rows") throws -> EncodedRows {
        var encoder = TableEncoder(schema: self, file: source, hasHeader: true)
        let f = encoder.featureCount
        let width: Int
        if case .regression(let t) = targets { width = t } else { width = 1 }
        var features = [Float](repeating: 0, count: rows.count * f)
        var labels = [Int64](repeating: 0, count: rows.count)
        var values = [Float](repeating: 0, count: rows.count * width)
        var fields: [CSVField] = []
        for (r, row) in rows.enumerated() {
            // The cells back to back in one byte array, each a field over its own bytes.
            var bytes: [UInt8] = []
            fields.removeAll(keepingCapacity: true)
            for cell in row {
                let start = bytes.count
                bytes.append(contentsOf: cell.utf8)
                fields.append(CSVField(start: start, end: bytes.count, quoted: false, escaped: false))
            }
            bytes.append(0)  // outside every field: the encoder needs at least one byte to point at
            try features.withUnsafeMutableBufferPointer { xb in
                try labels.withUnsafeMutableBufferPointer { lb in
                    try values.withUnsafeMutableBufferPointer { vb in
                        try encoder.encode(fields, bytes, line: r + 1, hasTargets: hasTargets, x: xb.baseAddress! + r * f,
                                           label: lb.baseAddress! + r, values: vb.baseAddress! + r * width)
                    }
                }
            }
        }
        let isRegression = if case .regression = targets { true } else { false }
        return EncodedRows(features: features,
                           labels: hasTargets && !isRegression ? labels : nil,
                           values: hasTargets && isRegression ? values : nil,
                           unseenCategories: encoder.unseen.reduce(0, +))
    }

    /// The F features of one raw row without its target column(s); see `encode(rows:hasTargets:source:)`.
    public func encode(row: [String]) throws -> [Float] {
        try encode(rows: [row], hasTargets: false).features
    }
}
