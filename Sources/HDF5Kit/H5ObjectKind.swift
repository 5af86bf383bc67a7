/// What a path inside an HDF5 file names.
public enum H5ObjectKind: String, Sendable {
    case group
    case dataset
    /// A committed datatype or anything else that is neither a group nor a dataset.
    case other
}
