import Foundation
import HDF5Kit

/// Reads a split of a dataset file into memory, checking everything a user could have got wrong
/// and naming the file, the dataset, what was found and what was expected.
///
/// Layout (DESIGN.md): x [N, F] (or images [N, H, W], [N, C, H, W], [N, H, W, C]) uint8 | integers | float16 | float32 | float64 (uint8 is scaled by 1/255 when
/// used); y [N] integer class labels, or [N, T] float regression targets.
public enum DatasetReader {
    /// Names of the two datasets of a split, e.g. ("/train/x", "/train/y").
    public struct SplitPaths: Sendable {
        public var x: String
        public var y: String?
        public init(x: String, y: String?) { self.x = x; self.y = y }
        /// The conventional "/NAME/x" and "/NAME/y".
        public static func named(_ split: String) -> SplitPaths {
            SplitPaths(x: "/\(split)/x", y: "/\(split)/y")
        }
    }

    /// Opens `path` for reading with a clear error for a missing or non-HDF5 file.
    public static func openFile(_ path: String) throws -> H5File {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpindleError.invalidData(location: path, problem: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw SpindleError.invalidData(location: path, problem: "is a directory, expected an HDF5 file")
        }
        guard HDF5.isHDF5(path: path) else {
            throw SpindleError.invalidData(location: path, problem: "not an HDF5 file")
        }
        return try H5File.open(path)
    }

    /// Whether the file holds a dataset at `path`.
    public static func has(_ file: H5File, _ path: String) -> Bool {
        file.exists(path) && (try? file.objectKind(path)) == .dataset
    }

    /// Loads one split whole.
    /// - Parameter requireTargets: when false a missing y is allowed (prediction input).
    /// - Throws: `SpindleError.invalidData` naming the file and dataset.
    public static func load(_ file: H5File, _ paths: SplitPaths, requireTargets: Bool = true) throws -> DatasetSplit {
        let x = try features(file, paths.x)
        let location = "\(file.path):\(paths.x)"
        let rows = x.shape[0], featureCount = x.rowElementCount
        let features: DatasetSplit.Features
        if x.elementType == .uint8 {
            features = .uint8(try x.readAll())
        } else {
            let values: [Float] = try x.readAll()
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw nonFinite(location, row: bad / featureCount, column: bad % featureCount, value: values[bad])
            }
            features = .float32(values)
        }
        var targets = DatasetSplit.Targets.none
        if let y = try targetsDataset(file, paths, rows: rows, required: requireTargets) {
            targets = try readTargets(y, rows: rows)
        }
        return DatasetSplit(name: splitName(file, paths), rows: rows, featureCount: featureCount,
                            features: features, targets: targets, sampleShape: Array(x.shape.dropFirst()))
    }

    /// "data.h5:/train" for x at /train/x.
    static func splitName(_ file: H5File, _ paths: SplitPaths) -> String {
        "\(file.path):/" + paths.x.split(separator: "/").dropLast().joined(separator: "/")
    }

    static func nonFinite(_ location: String, row: Int, column: Int, value: some CustomStringConvertible) -> SpindleError {
        SpindleError.invalidData(
            location: location,
            problem: "row \(row), column \(column) is \(value) (or out of float32 range); expected finite numbers")
    }

    /// Opens x and checks its shape: [rows ≥ 1, features ≥ 1], or images [rows, H, W],
    /// [rows, C, H, W] or [rows, H, W, C] (each row's values, row-major, are its features).
    static func features(_ file: H5File, _ path: String) throws -> H5Dataset {
        let x = try dataset(file, path)
        let location = "\(file.path):\(path)"
        guard (2...4).contains(x.shape.count) else {
            throw SpindleError.invalidData(
                location: location,
                problem: "has shape \(x.shape), expected 2 dimensions [rows, features], or images: " +
                    "[rows, H, W], [rows, C, H, W] or [rows, H, W, C]")
        }
        guard x.shape[0] > 0 else {
            throw SpindleError.invalidData(location: location, problem: "has 0 rows; expected at least 1")
        }
        guard x.shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw SpindleError.invalidData(
                location: location, problem: x.shape.count == 2 ? "has 0 features; expected at least 1"
                    : "has shape \(x.shape), an empty image; expected every size at least 1")
        }
        return x
    }

    /// Opens y, if present, and checks its shape against x's `rows`: [rows] integer labels, or
    /// [rows] / [rows, T] float targets. Nil when absent and not `required`.
    static func targetsDataset(_ file: H5File, _ paths: SplitPaths, rows: Int, required: Bool) throws -> H5Dataset? {
        guard let path = paths.y, has(file, path) else {
            if required {
                throw SpindleError.invalidData(location: file.path, problem: "no dataset '\(paths.y ?? "y")'\(contents(file))")
            }
            return nil
        }
        let y = try dataset(file, path)
        let location = "\(file.path):\(path)"
        guard y.shape.first == rows else {
            throw SpindleError.invalidData(
                location: location,
                problem: "has \(y.shape.first ?? 0) rows, but x has \(rows); expected one target per row")
        }
        if y.elementType.isInteger {
            guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
                throw SpindleError.invalidData(
                    location: location, problem: "has shape \(y.shape), expected class labels of shape [\(rows)]")
            }
        } else if y.shape.count > 2 {
            throw SpindleError.invalidData(
                location: location, problem: "has shape \(y.shape), expected [rows] or [rows, targets]")
        }
        return y
    }

    /// Checks labels read from rows starting at `firstRow` of y: 0 ≤ label ≤ Int32.max.
    static func checkLabelValues(_ labels: [Int64], firstRow: Int, _ y: H5Dataset) throws {
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 > Int64(Int32.max) }) {
            throw SpindleError.invalidData(
                location: "\(y.filePath):\(y.path)",
                problem: "label \(labels[bad]) at row \(firstRow + bad) is out of range; expected class indices 0, 1, 2, …")
        }
    }

    /// Checks float targets read from rows starting at `firstRow`: all finite.
    static func checkTargetValues(_ values: [Float], width: Int, firstRow: Int, _ y: H5Dataset) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SpindleError.invalidData(
                location: "\(y.filePath):\(y.path)",
                problem: "row \(firstRow + bad / width) holds \(values[bad]); expected finite targets")
        }
    }

    /// Checks that every label of `split` is below `classes` (labels come from training data or
    /// from a trained model, which fix the number of outputs).
    public static func checkLabels(_ split: DatasetSplit, classes: Int) throws {
        guard case .labels(let labels) = split.targets else { return }
        if let bad = labels.firstIndex(where: { Int($0) >= classes }) {
            throw SpindleError.invalidData(
                location: split.name + "/y",
                problem: "label \(labels[bad]) at row \(bad) is out of range: expected 0..<\(classes) " +
                    "(the model has \(classes) classes)")
        }
    }

    private static func readTargets(_ y: H5Dataset, rows: Int) throws -> DatasetSplit.Targets {
        if y.elementType.isInteger {
            let labels: [Int64] = try y.readAll()
            try checkLabelValues(labels, firstRow: 0, y)
            return .labels(labels.map { Int32($0) })
        }
        let width = y.shape.count == 2 ? y.shape[1] : 1
        let values: [Float] = try y.readAll()
        try checkTargetValues(values, width: width, firstRow: 0, y)
        return .values(values, width: width)
    }

    static func dataset(_ file: H5File, _ path: String) throws -> H5Dataset {
        guard has(file, path) else {
            throw SpindleError.invalidData(location: file.path, problem: "no dataset '\(path)'\(contents(file))")
        }
        let dataset = try file.openDataset(path)
        if let filter = dataset.unavailableFilters.first {
            throw SpindleError.invalidData(
                location: "\(file.path):\(path)",
                problem: "is compressed with the \(filter.name) filter (id \(filter.id)), which this HDF5 library lacks; "
                    + "rewrite the file with a built-in filter: h5repack -f GZIP=1 in.h5 out.h5")
        }
        return dataset
    }

    /// " (it holds: /test/x, /train/x)" — what the user could have meant.
    static func contents(_ file: H5File) -> String {
        var found: [String] = []
        func walk(_ prefix: String, depth: Int) {
            guard depth < 3, let group = try? (prefix.isEmpty ? file.openGroup("/") : file.openGroup(prefix)),
                  let names = try? group.memberNames() else { return }
            for name in names {
                let path = prefix + "/" + name
                switch try? file.objectKind(path) {
                case .dataset: found.append(path)
                case .group: walk(path, depth: depth + 1)
                default: break
                }
            }
        }
        walk("", depth: 0)
        return found.isEmpty ? " (the file holds no datasets)" : " (it holds: \(found.prefix(8).joined(separator: ", ")))"
    }
}
