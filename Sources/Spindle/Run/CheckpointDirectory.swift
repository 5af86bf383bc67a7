import Foundation

/// Where a run's checkpoints and model go, made ready before training starts so that a run
/// never ends in an unwritable path.
public enum CheckpointDirectory {
    /// Creates `directory` (as mkdir -p) and checks it is writable; removes the temporaries that
    /// killed runs left in it.
    /// - Throws: `SpindleError.cannotWrite` naming the path component in the way.
    public static func prepare(_ directory: String) throws {
        // Walk the path as mkdir -p does, to name the component that is in the way.
        var path = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            path += "/" + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw SpindleError.cannotWrite(
                        path: directory, reason: "'\(path)' is a file, not a directory; cannot create the checkpoint directory")
                }
            } else if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw SpindleError.cannotWrite(
                    path: directory, reason: "cannot create '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        guard access(directory, W_OK) == 0 else {
            throw SpindleError.cannotWrite(
                path: directory, reason: "the checkpoint directory is not writable (\(String(cString: strerror(errno))))")
        }
        removeAbandonedTemporaries(in: directory)
    }

    /// Deletes the hidden temporary files (".<name>.h5.tmp-<pid>", `AtomicFile`) that a run killed
    /// in the middle of a write left behind: they are never read, but each holds a checkpoint's
    /// worth of disk. Only those of processes that no longer exist, so that a run still writing
    /// into the same directory keeps its own.
    static func removeAbandonedTemporaries(in directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard name.hasPrefix("."), let marker = name.range(of: ".h5.tmp-", options: .backwards),
                  let pid = Int32(name[marker.upperBound...]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + name)
            }
        }
    }
}
