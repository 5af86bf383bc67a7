import Foundation
import HDF5Kit

/// Writes a file so that a crash at any instant leaves either the old file or the complete new
/// one (DESIGN.md contract 3): write a temporary file in the same directory, fsync it, rename it
/// into place, fsync the directory so the rename itself is durable.
public enum AtomicFile {
    /// Calls `write` with a temporary path beside `path`, then moves the result into place.
    /// On any error the temporary file is removed and `path` is untouched.
    /// - Throws: `SpindleError.cannotWrite` when the directory is missing or not writable, or what
    ///   `write` throws.
    public static func write(to path: String, _ write: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw SpindleError.cannotWrite(path: path, reason: "directory '\(directory)' does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw SpindleError.cannotWrite(path: path, reason: "directory '\(directory)' is not writable")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        do {
            try write(temporary)
            try sync(temporary)
            guard rename(temporary, path) == 0 else { throw posixError("rename into place", path) }
            try sync(directory)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes a new HDF5 file atomically: `body` fills it, then it is closed, synced and renamed
    /// into place.
    ///
    /// HDF5 keeps a file open underneath while any group or dataset of it is alive, so everything
    /// `body` opened must be released before the close; locals of the closure are, when it returns.
    public static func writeHDF5(to path: String, _ body: (H5File) throws -> Void) throws {
        try write(to: path) { temporary in
            let file = try H5File.create(temporary, overwrite: true)
            try body(file)
            try file.close()
        }
    }

    /// fsync of a file or directory by path.
    private static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw posixError("open for fsync", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("fsync", path) }
    }

    private static func posixError(_ operation: String, _ path: String) -> SpindleError {
        .cannotWrite(path: path, reason: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
