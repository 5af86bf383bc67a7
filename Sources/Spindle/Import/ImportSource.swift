import CZlib
import Foundation

/// A dataset file opened for sequential reading, gzip-compressed or not.
///
/// zlib's gz* interface decides by the file's first bytes (the 1f 8b gzip magic), not its name,
/// and reads plain files "transparently", so every reader gets `.gz` support for free. Offsets and
/// counts here are always in uncompressed bytes. The handle belongs to this object and is closed in
/// `deinit`; an `ImportSource` is used by one thread at a time.
final class ImportSource {
    /// The path as the user typed it, used in every error.
    let path: String
    private let handle: gzFile
    /// Uncompressed bytes delivered so far.
    private(set) var offset = 0
    /// The size on disk: the exact data size of a plain file, a lower bound for a gzip one.
    private let fileSize: Int

    /// Largest single `gzread`: its length is a C `unsigned` and its result an `int`.
    private static let maxRead = 1 << 30

    /// Opens `path`, saying plainly when it is missing or a directory.
    init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError(file: path, reason: .cannotOpen, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ImportError(file: path, reason: .cannotOpen, message: "is a directory, expected a file")
        }
        fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard let handle = gzopen(path, "rb") else {
            let cause = String(cString: strerror(errno))
            throw ImportError(file: path, reason: .cannotOpen, message: "cannot open: \(cause)")
        }
        self.handle = handle
        // The default 8 KiB input buffer costs a read(2) per 8 KiB; 256 KiB keeps a 47 MB file at
        // a few hundred system calls. Must be set before the first read.
        gzbuffer(handle, 1 << 18)
    }

    deinit {
        gzclose_r(handle)
    }

    /// Whether the file is gzip-compressed (as opposed to read transparently).
    var isCompressed: Bool { gzdirect(handle) == 0 }

    /// Reads up to `count` bytes into `buffer`, returning how many arrived; fewer than `count`
    /// only at the end of the data.
    private func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let want = min(buffer.count - done, Self.maxRead)
            let got = Int(gzread(handle, buffer.baseAddress! + done, UInt32(want)))
            guard got >= 0 else { throw failure() }
            done += got
            if got < want { break }
        }
        offset += done
        return done
    }

    /// Reads up to `count` bytes; a shorter result means the data ended.
    func read(upTo count: Int) throws -> [UInt8] {
        // Allocate at most 1 GiB at a time: a corrupt header may claim exabytes, and further
        // chunks are allocated only while the data really continues.
        let first = min(count, Self.maxRead)
        var bytes = try chunk(first)
        var ended = bytes.count < first
        while !ended, bytes.count < count {
            let want = min(count - bytes.count, Self.maxRead)
            let more = try chunk(want)
            ended = more.count < want
            bytes += more
        }
        return bytes
    }

    /// Reads up to `count` bytes straight into a new array, without zero-filling it first.
    private func chunk(_ count: Int) throws -> [UInt8] {
        var readError: Error?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do {
                initialized = try read(into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                initialized = 0
                readError = error
            }
        }
        if let readError { throw readError }
        return bytes
    }

    /// Reads exactly `count` bytes of `what` (e.g. "pixel data"), or throws a truncation error
    /// that counts the whole file: "found 1016 bytes, expected 47040016".
    func read(exactly count: Int, of what: String) throws -> [UInt8] {
        let start = offset
        let bytes = try read(upTo: count)
        guard bytes.count == count else {
            let found = start + bytes.count
            let note = !isCompressed ? "" : streamCutOff ? " (the gzip stream is cut off)" : " after decompressing"
            let kind: ImportError.Reason = found == 0 ? .empty : .truncated
            let message = found == 0
                ? "file is empty (expected \(what))"
                : "truncated: found \(found) bytes\(note), expected \(start + count) for \(what)"
            throw ImportError(file: path, reason: kind, message: message)
        }
        return bytes
    }

    /// Reads everything that is left.
    func readToEnd() throws -> [UInt8] {
        // Sized by the file: a plain file arrives in one read with no copying; a gzip one then
        // grows by appending.
        var all = try read(upTo: fileSize + 1)
        while true {
            let chunk = try read(upTo: max(all.count, 1 << 20))
            if chunk.isEmpty { return all }
            all += chunk
        }
    }

    /// Whether any data follows what has been read so far.
    func hasMoreData() throws -> Bool {
        try !read(upTo: 1).isEmpty
    }

    /// Whether zlib hit the end of the compressed bytes in the middle of the gzip stream.
    private var streamCutOff: Bool {
        var code: Int32 = 0
        _ = gzerror(handle, &code)
        return code == Z_BUF_ERROR
    }

    /// The error zlib recorded, e.g. "invalid distance too far back" for corrupt gzip data.
    private func failure() -> ImportError {
        var code: Int32 = 0
        let text = gzerror(handle, &code).map { String(cString: $0) } ?? ""
        if code == Z_ERRNO {
            let cause = String(cString: strerror(errno))
            return ImportError(file: path, reason: .unreadable, message: "read failed: \(cause)")
        }
        return ImportError(file: path, reason: .unreadable,
                           message: "corrupt gzip data: \(text.isEmpty ? "zlib error \(code)" : text)")
    }
}
