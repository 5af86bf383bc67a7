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
            throw SpindleError.cannotWrite(
                path: path, reason: "directory '\(directory)' is not writable (\(String(cString: strerror(errno))))")
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
    ///
    /// - Parameter reserving: the file's expected size, at least; when non-zero, that much room is
    ///   claimed for the temporary file before HDF5 writes anything, so that a full disk or a file
    ///   size limit (EFBIG) is reported as such and cleanly. (libhdf5 1.10 cannot recover from a
    ///   close that fails to flush: it keeps a half-destroyed file that crashes the process at exit.)
    public static func writeHDF5(to path: String, reserving: Int = 0, _ body: (H5File) throws -> Void) throws {
        try write(to: path) { temporary in
            if reserving > 0 { try reserve(reserving, at: temporary, for: path) }
            let file = try H5File.create(temporary, overwrite: true)
            try body(file)
            try file.close()
        }
    }

    /// Creates `temporary` and claims `bytes` of disk for it, then empties it again (HDF5 recreates
    /// it), so that the space is known to be there.
    /// - Throws: `SpindleError.cannotWrite` naming `path` when the disk is full or the file would
    ///   exceed the process's file size limit.
    private static func reserve(_ bytes: Int, at temporary: String, for path: String) throws {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw posixError("create temporary file", path) }
        defer { close(fd) }
        var failure: Int32 = 0
        #if os(Linux)
        failure = posix_fallocate(fd, 0, off_t(bytes))  // returns the error; errno is untouched
        #else
        failure = EOPNOTSUPP
        #endif
        if failure == EOPNOTSUPP || failure == EINVAL {  // the file system cannot preallocate: write zeros
            failure = 0
            let zeros = [UInt8](repeating: 0, count: 1 << 20)
            var written = 0
            while written < bytes {
                let count = zeros.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, min(zeros.count, bytes - written)) }
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                written += count
            }
        }
        guard failure == 0 else {
            let reason = failure == EFBIG ? "File too large: the file size limit (ulimit -f) is below the " +
                "\(bytes) bytes it needs" : failure == ENOSPC || failure == EDQUOT ?
                "\(String(cString: strerror(failure))): no room for the \(bytes) bytes it needs" : String(cString: strerror(failure))
            throw SpindleError.cannotWrite(path: path, reason: reason)
        }
        guard ftruncate(fd, 0) == 0 else { throw posixError("truncate temporary file", path) }
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
