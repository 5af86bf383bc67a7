import CHDF5
import Foundation

/// Library-wide facts and the one lock that every HDF5 call in the process goes through.
public enum HDF5 {
    /// The version of the HDF5 library this process is linked against, e.g. `"1.10.8"`.
    public static var libraryVersion: String {
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var release: UInt32 = 0
        _ = locked { H5get_libversion(&major, &minor, &release) }
        return "\(major).\(minor).\(release)"
    }

    /// Whether `path` names a readable HDF5 file.
    ///
    /// - Returns: `false` for a missing file, an unreadable one, or one without the HDF5
    ///   signature; never throws.
    public static func isHDF5(path: String) -> Bool {
        // A missing file is an error to HDF5; here it is just "no".
        answersYes { chdf5_is_hdf5(path) }
    }

    // MARK: - Serialization

    /// Serializes every call into the C library.
    ///
    /// Homebrew's libhdf5 is not thread-safe, so two threads must never be inside HDF5 at once.
    /// Debian's build happens to be compiled thread-safe, but that only serializes single calls;
    /// HDF5Kit's operations are sequences of calls (select a hyperslab, read, walk the error
    /// stack) that must not interleave with another thread's. The lock is recursive because
    /// such a sequence is built from smaller locked steps.
    private static let lock = NSRecursiveLock()

    /// Runs `body` while holding the process-wide HDF5 lock. Every C call in HDF5Kit is made
    /// inside such a block (including the closing of handles in `deinit`).
    ///
    /// HDF5 prints every error stack to stderr by default; HDF5Kit throws ``HDF5Error``s
    /// instead, so printing is switched off for each thread before its first call.
    static func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        chdf5_silence_errors_on_this_thread()
        return try body()
    }

    /// Makes one C call under the lock and turns a negative result (HDF5's failure signal for
    /// identifiers, `herr_t` and `htri_t` alike) into an ``HDF5Error`` carrying the library's
    /// own message, read from its error stack before anything else can overwrite it.
    ///
    /// - Parameters:
    ///   - operation: What was attempted, e.g. `"open dataset"`; evaluated only on failure.
    ///   - path: The file or object it was attempted on; evaluated only on failure.
    ///   - call: The C call.
    /// - Returns: The call's non-negative result.
    @discardableResult
    static func check<R: BinaryInteger>(
        _ operation: @autoclosure () -> String,
        _ path: @autoclosure () -> String,
        _ call: () -> R
    ) throws(HDF5Error) -> R {
        try locked { () throws(HDF5Error) -> R in
            let result = call()
            guard result >= 0 else {
                throw HDF5Error(operation: operation(), path: path(), message: HDF5ErrorStack.take())
            }
            return result
        }
    }

    /// Runs an HDF5 yes/no query (`htri_t`) under the lock. A failure to answer counts as "no",
    /// and the error stack it left is cleared so it cannot leak into a later error message.
    static func answersYes(_ query: () -> htri_t) -> Bool {
        locked {
            let answer = query()
            if answer < 0 { _ = H5Eclear2(chdf5_H5E_DEFAULT()) }
            return answer > 0
        }
    }
}
