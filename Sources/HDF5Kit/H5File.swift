import CHDF5

/// An open HDF5 file, which also serves as its root group (``H5Container``): `file.openDataset
/// ("train/x")`, `file.setAttribute("format_version", 1)`.
///
/// The file is closed by ``close()``, which reports failures, or else when the last reference
/// goes away. Groups and datasets opened from it stay usable after it closes: HDF5 keeps the
/// file open underneath until they are gone too (the default "weak" close degree), so to be
/// sure everything reached the disk, let them go before calling ``close()`` or call ``flush()``.
/// Thread-safe: every HDF5 call goes through HDF5Kit's process-wide lock.
public final class H5File: H5Container {
    /// How an existing file is opened.
    public enum Mode: Sendable {
        case readOnly
        case readWrite
    }

    /// The owner of the file's identifier.
    public let handle: H5Handle

    /// The file's path, as given to ``open(_:mode:)`` or ``create(_:overwrite:)``.
    public var path: String { handle.filePath }

    private init(handle: H5Handle) {
        self.handle = handle
    }

    /// Opens an existing HDF5 file.
    ///
    /// - Throws: ``HDF5Error`` if the file is missing, unreadable or not HDF5, e.g.
    ///   `cannot open file 'x.h5': No such file or directory`.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> H5File {
        try HDF5.locked {
            let flags = mode == .readOnly ? chdf5_H5F_ACC_RDONLY() : chdf5_H5F_ACC_RDWR()
            let id = try HDF5.check("open file", path) { H5Fopen(path, flags, chdf5_H5P_DEFAULT()) }
            return H5File(handle: H5Handle(id: id, kind: .file, filePath: path, objectPath: "/"))
        }
    }

    /// Creates a new, empty HDF5 file, opened for reading and writing.
    ///
    /// - Parameter overwrite: Whether to replace an existing file. When `false` (the default),
    ///   an existing file is left untouched and the call throws.
    /// - Throws: ``HDF5Error`` if the file exists (without `overwrite`), its directory is
    ///   missing, or it cannot be written.
    public static func create(_ path: String, overwrite: Bool = false) throws -> H5File {
        try HDF5.locked {
            let flags = overwrite ? chdf5_H5F_ACC_TRUNC() : chdf5_H5F_ACC_EXCL()
            let id = try HDF5.check("create file", path) {
                H5Fcreate(path, flags, chdf5_H5P_DEFAULT(), chdf5_H5P_DEFAULT())
            }
            return H5File(handle: H5Handle(id: id, kind: .file, filePath: path, objectPath: "/"))
        }
    }

    /// Writes everything HDF5 has buffered for this file to the operating system.
    ///
    /// This does not `fsync`; durable writes need that too, after ``close()``.
    /// - Throws: ``HDF5Error`` if HDF5 cannot write the buffered data.
    public func flush() throws {
        try HDF5.check("flush file", path) { H5Fflush(handle.id, H5F_SCOPE_LOCAL) }
    }

    /// Closes the file now, reporting any failure to write it out. Calling it again does
    /// nothing; using the file afterwards throws.
    ///
    /// - Throws: ``HDF5Error`` if HDF5 fails to flush or close the file.
    public func close() throws {
        try handle.close(operation: "close file")
    }
}
