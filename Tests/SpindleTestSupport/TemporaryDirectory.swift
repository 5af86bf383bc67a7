import Foundation

/// A fresh directory under the system's temporary directory for one test, removed with
/// everything in it when the value goes away. The one scratch-directory helper of every test
/// target: the HDF5 files, fixture files and runs of the binary a test makes live in one.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    /// - Parameter prefix: starts the directory's name, so that a leftover one says which tests made it.
    public init(prefix: String = "SpindleTests") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The absolute path of `name` inside the directory (the file need not exist).
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    /// Writes UTF-8 `text` to `name` and returns its path.
    @discardableResult
    public func write(_ name: String, text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Every file and directory below the root with its contents ("<dir>" for directories), so
    /// that two snapshots differ when anything was created, removed or rewritten.
    public func snapshot() -> [String: Data] {
        var result: [String: Data] = [:]
        let base = url.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return result }
        for case let relative as String in walker {
            let full = base + "/" + relative
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            result[relative] = isDirectory.boolValue ? Data("<dir>".utf8)
                : (FileManager.default.contents(atPath: full) ?? Data("<unreadable>".utf8))
        }
        return result
    }
}
