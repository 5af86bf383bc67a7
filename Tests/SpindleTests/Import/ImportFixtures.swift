import CZlib
import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Fixture files an import test writes into its temporary directory.
extension TemporaryDirectory {
    /// Writes `bytes` gzip-compressed (zlib's own deflate, level 6) to `name` and returns its path.
    @discardableResult
    func writeGzip(_ name: String, bytes: [UInt8]) throws -> String {
        let target = path(name)
        let file = try #require(gzopen(target, "wb6"), "gzopen(\(name)) failed")
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        #expect(Int(written) == bytes.count)
        #expect(gzclose(file) == Z_OK)
        return target
    }
}

enum ImportFixtures {
    /// An IDX file: magic `00 00 08 rank`, big-endian uint32 dimensions, then `data`.
    static func idx(dims: [Int], data: [UInt8], elementType: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, elementType, UInt8(dims.count)]
        for size in dims {
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: UInt32(size) >> $0) }
        }
        return bytes + data
    }

    /// Whether `python3` with NumPy can be run, for the tests that use NumPy as the reference.
    static let hasNumpy: Bool = (try? python("import numpy; print('ok')")) == "ok\n"

    /// Runs `python3 -c script args…` and returns its standard output; throws when it fails.
    @discardableResult
    static func python(_ script: String, _ arguments: [String] = []) throws -> String {
        let result = try runPython(script, arguments)
        guard result.status == 0 else { throw PythonFailure(output: result.stdout + result.stderr) }
        return result.stdout
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "python3 failed: \(output)" }
    }

    /// The float32 features of `table`, or `nil` when they are uint8.
    static func floats(_ table: ImportedTable) -> [Float]? {
        if case .float32(let values) = table.features { return values }
        return nil
    }

    /// The uint8 features of `table`, or `nil` when they are float32.
    static func bytes(_ table: ImportedTable) -> [UInt8]? {
        if case .uint8(let values) = table.features { return values }
        return nil
    }

    /// The class labels of `table`, or `nil` for regression targets.
    static func labels(_ table: ImportedTable) -> [Int64]? {
        if case .labels(let labels) = table.targets { return labels }
        return nil
    }

    /// The regression targets and their width T, or `nil` for class labels.
    static func values(_ table: ImportedTable) -> (values: [Float], width: Int)? {
        if case .values(let values, let width) = table.targets { return (values, width) }
        return nil
    }

    /// Runs `body`, which must throw an `ImportError`; checks its reason and that its one-line
    /// description contains `expected`.
    static func expectImportError(
        _ reason: ImportError.Reason, _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected ImportError containing \"\(expected)\", got success", sourceLocation: sourceLocation)
        } catch let error as ImportError {
            #expect(error.reason == reason, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(expected), "\(error)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), "error must be one line", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected ImportError, got \(error)", sourceLocation: sourceLocation)
        }
    }
}
