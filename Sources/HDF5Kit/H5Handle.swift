import CHDF5

/// The single owner of one open HDF5 identifier (a file, group or dataset).
///
/// Opaque outside HDF5Kit: it appears in the public API only because ``H5Object`` shares its
/// implementation through it. The identifier is closed exactly once, by ``close()`` or, failing
/// that, by `deinit`.
///
/// Thread safety: `id` and the paths never change; `isOpen` is read and written only while
/// holding the HDF5 lock, which is what makes the `@unchecked Sendable` sound.
public final class H5Handle: @unchecked Sendable {
    /// Which close function the identifier needs.
    enum Kind {
        case file, group, dataset
    }

    let id: hid_t
    let kind: Kind
    /// The file's path as given to `open`/`create`.
    let filePath: String
    /// The object's absolute path inside the file, e.g. `"/train/x"` (`"/"` for a file).
    let objectPath: String
    private var isOpen = true

    /// Takes ownership of `id`, which must be a valid, open identifier of `kind`.
    init(id: hid_t, kind: Kind, filePath: String, objectPath: String) {
        self.id = id
        self.kind = kind
        self.filePath = filePath
        self.objectPath = objectPath
    }

    /// Takes ownership of a freshly opened group or dataset, naming it by its path in the file.
    /// Call while holding the HDF5 lock.
    convenience init(opened id: hid_t, kind: Kind, filePath: String) {
        self.init(id: id, kind: kind, filePath: filePath, objectPath: Self.name(of: id) ?? "?")
    }

    deinit {
        HDF5.locked {
            // Nothing can report a failure from deinit; `close()` is the reporting path.
            if isOpen { _ = release() }
        }
    }

    /// Closes the identifier now.
    ///
    /// - Throws: ``HDF5Error`` if HDF5 fails to close it (for a file: fails to flush).
    ///   The identifier counts as closed either way, so `deinit` never closes it twice.
    func close(operation: String) throws {
        try HDF5.locked {
            guard isOpen else { return }
            isOpen = false
            try HDF5.check(operation, describe()) { release() }
        }
    }

    private func release() -> herr_t {
        switch kind {
        case .file: H5Fclose(id)
        case .group: H5Gclose(id)
        case .dataset: H5Dclose(id)
        }
    }

    // MARK: - Paths for error messages

    /// `"<file>:<object path>"`, or the bare file path for a file.
    func describe() -> String {
        kind == .file ? filePath : "\(filePath):\(objectPath)"
    }

    /// Describes `relativePath` as seen from this object, e.g. `"data.h5:/train/x"` for
    /// `"x"` under `/train`. Absolute paths are taken as they are.
    func describe(_ relativePath: String) -> String {
        if relativePath.hasPrefix("/") { return "\(filePath):\(relativePath)" }
        let base = objectPath.hasSuffix("/") ? objectPath : objectPath + "/"
        return "\(filePath):\(base)\(relativePath)"
    }

    /// The absolute path by which `id` was opened, from `H5Iget_name`.
    private static func name(of id: hid_t) -> String? {
        let length = H5Iget_name(id, nil, 0)
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard H5Iget_name(id, &buffer, buffer.count) > 0 else { return nil }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
