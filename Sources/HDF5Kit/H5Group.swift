/// An open HDF5 group: a folder of datasets, groups and attributes inside a file.
///
/// Its API (creating and opening members, attributes) comes from ``H5Container`` and
/// ``H5Object``. The group's identifier is closed when the last reference goes away.
/// Thread-safe: every HDF5 call goes through HDF5Kit's process-wide lock.
public final class H5Group: H5Container {
    /// The owner of the group's identifier.
    public let handle: H5Handle

    /// The group's absolute path in its file, e.g. `"/train"`.
    public var path: String { handle.objectPath }

    /// The path of the file that holds the group.
    public var filePath: String { handle.filePath }

    init(handle: H5Handle) {
        self.handle = handle
    }
}
