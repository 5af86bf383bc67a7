extension NPYReader {
    /// Reads a feature array and a target array into one table.
    ///
    /// - `x` of shape (N,), (N, F), (N, H, W) or higher is flattened to (N, F); uint8 stays uint8
    ///   (scaled by 1/255 at training time), every other dtype becomes float32 and must be finite.
    /// - `y` of an integer or bool dtype, shape (N,) or (N, 1), gives class labels, which must be >= 0;
    ///   a float `y` of shape (N,) or (N, T) gives regression targets, which must be finite.
    /// - Throws: `ImportError` for anything `read` rejects, an empty or 0-d array, N differing between
    ///   the files, NaN/Inf (naming the element as NumPy indexes it), negative labels, or a `y` of
    ///   another shape.
    public static func table(x: String, y: String) throws -> ImportedTable {
        let features = try read(x)
        let targets = try read(y)
        let rows = try rowCount(features, path: x, role: "features")
        let featureCount = features.shape.dropFirst().reduce(1, *)
        guard featureCount > 0 else {
            throw ImportError(file: x, reason: .empty,
                              message: "shape \(features.shapeDescription) has no features (expected (N, F) with F > 0)")
        }
        guard try rowCount(targets, path: y, role: "targets") == rows else {
            throw ImportError(file: y, reason: .mismatch,
                              message: "has \(targets.shape[0]) rows but \(x) has \(rows) "
                                  + "(expected one target row per sample)")
        }
        return ImportedTable(rows: rows, featureCount: featureCount,
                             features: try tableFeatures(features, path: x),
                             targets: try tableTargets(targets, path: y))
    }

    /// N, the first dimension, which must exist and be positive.
    private static func rowCount(_ array: NPYArray, path: String, role: String) throws -> Int {
        guard let rows = array.shape.first else {
            throw ImportError(file: path, reason: .badFormat,
                              message: "is a 0-d array (expected \(role) with one row per sample)")
        }
        guard rows > 0 else {
            throw ImportError(file: path, reason: .empty,
                              message: "shape \(array.shapeDescription) has no rows (expected at least one)")
        }
        return rows
    }

    private static func tableFeatures(_ array: NPYArray, path: String) throws -> ImportedTable.Features {
        switch array.values {
        case .uint8(let values) where array.dtype.kind == .unsigned:
            return .uint8(values)
        case .uint8(let values):
            // bool features are 0 / 1, not pixel intensities: scaling them by 1/255 would be wrong.
            return .float32(values.map(Float.init))
        case .int64(let values):
            return .float32(values.map(Float.init))
        case .float32(let values):
            try requireFinite(values, array: array, path: path, role: "features")
            return .float32(values)
        }
    }

    private static func tableTargets(_ array: NPYArray, path: String) throws -> ImportedTable.Targets {
        let shape = array.shape
        let width = shape.count == 2 ? shape[1] : 1
        guard shape.count <= 2, width > 0, array.dtype.kind == .float || width == 1 else {
            let expected = array.dtype.isInteger ? "(N,) or (N, 1) for class labels" : "(N,) or (N, T) for regression"
            throw ImportError(file: path, reason: .badFormat,
                              message: "\(array.dtype) targets of shape \(array.shapeDescription) (expected \(expected))")
        }
        switch array.values {
        case .uint8(let values):
            return .labels(values.map(Int64.init))
        case .int64(let values):
            if let index = values.firstIndex(where: { $0 < 0 }) {
                throw ImportError(file: path, location: "element \(elementIndex(index, shape: shape))",
                                  reason: .invalidValue,
                                  message: "class label \(values[index]) is negative (expected 0, 1, 2, …)")
            }
            return .labels(values)
        case .float32(let values):
            try requireFinite(values, array: array, path: path, role: "targets")
            return .values(values, width: width)
        }
    }

    private static func requireFinite(_ values: [Float], array: NPYArray, path: String, role: String) throws {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw ImportError(file: path, location: "element \(elementIndex(index, shape: array.shape))",
                          reason: .invalidValue, message: "\(values[index]) is not finite (\(role) must be finite)")
    }

    /// The flat C-order `index` as NumPy's multi-index, e.g. `[3, 12, 5]`, so users can look it up.
    static func elementIndex(_ index: Int, shape: [Int]) -> String {
        var rest = index
        var parts: [Int] = []
        for size in shape.reversed() {
            parts.append(rest % size)
            rest /= size
        }
        return "[" + parts.reversed().map(String.init).joined(separator: ", ") + "]"
    }
}
