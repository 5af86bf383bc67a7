import Foundation
import HDF5Kit

/// Reads a split of a dataset file into memory, checking everything a user could have got wrong
/// and naming the file, the dataset, what was found and what was expected.
///
/// Layout (DESIGN.md): x [N, F] uint8 | integers | float32 | float64 (uint8 is scaled by 1/255 when
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
        let name = file.path
        let x = try dataset(file, paths.x)
        let location = "\(name):\(paths.x)"
        guard x.shape.count == 2 else {
            throw SpindleError.invalidData(
                location: location,
                problem: "has shape \(x.shape), expected 2 dimensions [rows, features] (reshape images to [N, H*W])")
        }
        let rows = x.shape[0], featureCount = x.shape[1]
        guard rows > 0 else {
            throw SpindleError.invalidData(location: location, problem: "has 0 rows; expected at least 1")
        }
        guard featureCount > 0 else {
            throw SpindleError.invalidData(location: location, problem: "has 0 features; expected at least 1")
        }
        let features: DatasetSplit.Features
        if x.elementType == .uint8 {
            features = .uint8(try x.readAll())
        } else {
            let values: [Float] = try x.readAll()
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw SpindleError.invalidData(
                    location: location,
                    problem: "row \(bad / featureCount), column \(bad % featureCount) is \(values[bad]) " +
                        "(or out of float32 range); expected finite numbers")
            }
            features = .float32(values)
        }
        var targets = DatasetSplit.Targets.none
        if let yPath = paths.y, has(file, yPath) {
            targets = try readTargets(file, yPath, rows: rows)
        } else if requireTargets {
            throw SpindleError.invalidData(location: name, problem: "no dataset '\(paths.y ?? "y")'\(contents(file))")
        }
        let split = paths.x.split(separator: "/").dropLast().joined(separator: "/")
        return DatasetSplit(name: "\(name):/\(split)", rows: rows, featureCount: featureCount,
                            features: features, targets: targets)
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

    private static func readTargets(_ file: H5File, _ path: String, rows: Int) throws -> DatasetSplit.Targets {
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
            let labels: [Int64] = try y.readAll()
            if let bad = labels.firstIndex(where: { $0 < 0 || $0 > Int64(Int32.max) }) {
                throw SpindleError.invalidData(
                    location: location,
                    problem: "label \(labels[bad]) at row \(bad) is out of range; expected class indices 0, 1, 2, …")
            }
            return .labels(labels.map { Int32($0) })
        }
        guard y.shape.count <= 2 else {
            throw SpindleError.invalidData(
                location: location, problem: "has shape \(y.shape), expected [rows] or [rows, targets]")
        }
        let width = y.shape.count == 2 ? y.shape[1] : 1
        let values: [Float] = try y.readAll()
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SpindleError.invalidData(
                location: location, problem: "row \(bad / width) holds \(values[bad]); expected finite targets")
        }
        return .values(values, width: width)
    }

    private static func dataset(_ file: H5File, _ path: String) throws -> H5Dataset {
        guard has(file, path) else {
            throw SpindleError.invalidData(location: file.path, problem: "no dataset '\(path)'\(contents(file))")
        }
        let dataset = try file.openDataset(path)
        return dataset
    }

    /// " (it holds: /test/x, /train/x)" — what the user could have meant.
    private static func contents(_ file: H5File) -> String {
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
