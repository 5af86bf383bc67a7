import Foundation

/// What identifies a file's contents cheaply: inode, size and modification time. A streamed
/// dataset's file is checked against the identity it had when training started before and after
/// every read, so that a file replaced, rewritten or truncated mid-run stops training with a clear
/// error instead of feeding it garbage.
struct FileIdentity: Equatable, Sendable {
    var inode: UInt64
    var size: Int64
    var modified: timespec

    init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SpindleError.invalidData(location: path, problem: "cannot be read any more: \(String(cString: strerror(errno)))")
        }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if os(Linux)
        modified = info.st_mtim
        #else
        modified = info.st_mtimespec
        #endif
    }

    static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.inode == b.inode && a.size == b.size && a.modified.tv_sec == b.modified.tv_sec
            && a.modified.tv_nsec == b.modified.tv_nsec
    }

    /// Throws unless `path` still has this identity.
    func check(_ path: String) throws {
        let now = try FileIdentity(path: path)
        guard now != self else { return }
        let what = now.inode != inode ? "was replaced"
            : now.size < size ? "was truncated from \(size) to \(now.size) bytes"
            : now.size != size ? "grew from \(size) to \(now.size) bytes"
            : "was modified"
        throw SpindleError.invalidData(
            location: path,
            problem: "\(what) while training read it; the rows read no longer match. " +
                "Restore the file (or finish writing it) and resume from the last checkpoint")
    }
}
