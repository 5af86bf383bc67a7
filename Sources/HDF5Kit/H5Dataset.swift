import CHDF5

/// An open HDF5 dataset of numbers: its shape, element type and storage layout, read once at
/// open, and row-range reads and writes (in `H5Dataset+IO.swift`).
///
/// Dimension 0 counts rows: a dataset of shape `[N, F]` holds N rows of F elements, stored
/// row-major. A scalar dataset (shape `[]`) counts as one row of one element.
/// Thread-safe: every HDF5 call goes through HDF5Kit's process-wide lock.
public final class H5Dataset: H5Object {
    /// The owner of the dataset's identifier.
    public let handle: H5Handle
    /// The size of each dimension, e.g. `[60000, 784]`.
    public let shape: [Int]
    /// The element type stored in the file.
    public let elementType: H5ElementType
    /// The chunk size of each dimension, or `nil` when stored contiguously.
    public let chunkShape: [Int]?
    /// The filters applied to each chunk, in pipeline order, e.g. `["shuffle", "deflate",
    /// "fletcher32"]`. Unknown filters appear as `"filter <id>"`.
    public let filters: [String]
    /// The filters of ``filters`` this HDF5 library lacks (e.g. h5py's LZF, id 32000): reading
    /// any chunk fails until the file is rewritten without them (`h5repack -f GZIP=1`).
    public let unavailableFilters: [H5Filter]

    /// The dataset's absolute path in its file, e.g. `"/train/x"`.
    public var path: String { handle.objectPath }
    /// The path of the file that holds the dataset.
    public var filePath: String { handle.filePath }
    /// The number of rows: `shape[0]`, or 1 for a scalar dataset.
    public var rowCount: Int { shape.first ?? 1 }
    /// Elements per row: the product of `shape[1...]`.
    public var rowElementCount: Int { shape.dropFirst().reduce(1, *) }
    /// Elements in the whole dataset.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Takes ownership of an open dataset and reads its metadata.
    ///
    /// - Throws: ``HDF5Error`` (with `operation`) if the element type is not one of
    ///   ``H5ElementType``'s; the identifier is then closed as `handle` goes away.
    private init(handle: H5Handle, operation: String) throws {
        self.handle = handle
        let path = handle.describe()
        (shape, elementType, chunkShape, filters, unavailableFilters) = try HDF5.locked {
            let space = try HDF5.check(operation, path) { H5Dget_space(handle.id) }
            defer { H5Sclose(space) }
            let rank = try HDF5.check(operation, path) { H5Sget_simple_extent_ndims(space) }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            try HDF5.check(operation, path) { H5Sget_simple_extent_dims(space, &dims, nil) }

            let type = try HDF5.check(operation, path) { H5Dget_type(handle.id) }
            defer { H5Tclose(type) }
            let elementType: H5ElementType
            switch H5ElementType.classify(type) {
            case .success(let found): elementType = found
            case .failure(let unsupported):
                throw HDF5Error(operation: operation, path: path, message: unsupported.message)
            }

            let createPlist = try HDF5.check(operation, path) { H5Dget_create_plist(handle.id) }
            defer { H5Pclose(createPlist) }
            let layout = try Self.readLayout(createPlist, operation, path)
            return (dims.map { Int($0) }, elementType, layout.chunkShape, layout.filters, layout.unavailable)
        }
    }

    // MARK: - Creating and opening

    /// Creates a dataset under `parent`; documented at
    /// ``H5Container/createDataset(_:type:shape:chunkShape:gzipLevel:shuffle:fletcher32:)``.
    static func create(
        in parent: H5Handle, path: String, type: H5ElementType, shape: [Int], chunkShape: [Int]?,
        gzipLevel: Int?, shuffle: Bool, fletcher32: Bool
    ) throws -> H5Dataset {
        precondition(shape.allSatisfy { $0 >= 0 }, "dataset shape \(shape) has a negative size")
        if let chunkShape {
            precondition(chunkShape.count == shape.count && !shape.isEmpty,
                         "chunk shape \(chunkShape) must have one size per dimension of \(shape)")
            precondition(chunkShape.allSatisfy { $0 >= 1 }, "chunk shape \(chunkShape) has a size below 1")
        } else {
            precondition(gzipLevel == nil && !shuffle && !fletcher32, "filters need a chunkShape")
        }
        precondition(gzipLevel.map { (0...9).contains($0) } ?? true, "gzip level \(gzipLevel ?? 0) is not in 0...9")

        let operation = "create dataset"
        let described = parent.describe(path)
        return try HDF5.locked {
            var dims = shape.map { hsize_t($0) }
            let space = try HDF5.check(operation, described) {
                dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), &dims, nil)
            }
            defer { H5Sclose(space) }
            let linkPlist = try H5PropertyList.linkCreation(operation, described)
            defer { H5Pclose(linkPlist) }
            let createPlist = try H5PropertyList.datasetCreation(
                chunkShape: chunkShape, gzipLevel: gzipLevel, shuffle: shuffle, fletcher32: fletcher32,
                operation, described
            )
            defer { H5Pclose(createPlist) }
            let id = try HDF5.check(operation, described) {
                H5Dcreate2(parent.id, path, type.fileTypeID, space, linkPlist, createPlist, chdf5_H5P_DEFAULT())
            }
            return try H5Dataset(handle: H5Handle(opened: id, kind: .dataset, filePath: parent.filePath), operation: operation)
        }
    }

    /// Opens an existing dataset under `parent`; documented at ``H5Container/openDataset(_:chunkCacheBytes:)``.
    static func open(in parent: H5Handle, path: String, chunkCacheBytes: Int?) throws -> H5Dataset {
        precondition((chunkCacheBytes ?? 0) >= 0, "chunk cache size \(chunkCacheBytes ?? 0) is negative")
        let operation = "open dataset"
        let described = parent.describe(path)
        return try HDF5.locked {
            var accessPlist = chdf5_H5P_DEFAULT()
            if let chunkCacheBytes, let chunkBytes = try chunkByteSize(parent, path, operation, described) {
                accessPlist = try H5PropertyList.datasetAccess(
                    cacheBytes: chunkCacheBytes, chunkBytes: chunkBytes, operation, described)
            }
            defer { if accessPlist != chdf5_H5P_DEFAULT() { H5Pclose(accessPlist) } }
            let id = try HDF5.check(operation, described) { H5Dopen2(parent.id, path, accessPlist) }
            return try H5Dataset(handle: H5Handle(opened: id, kind: .dataset, filePath: parent.filePath), operation: operation)
        }
    }

    /// The bytes in one chunk of the dataset at `path`, or `nil` if it is not chunked.
    ///
    /// Sizing the cache needs the chunk size, which needs the dataset open; this briefly
    /// opens and closes it, because the cache is fixed by the first open while any is alive.
    private static func chunkByteSize(_ parent: H5Handle, _ path: String, _ operation: String, _ described: String) throws -> Int? {
        let id = try HDF5.check(operation, described) { H5Dopen2(parent.id, path, chdf5_H5P_DEFAULT()) }
        defer { H5Dclose(id) }
        let createPlist = try HDF5.check(operation, described) { H5Dget_create_plist(id) }
        defer { H5Pclose(createPlist) }
        guard let chunkShape = try readLayout(createPlist, operation, described).chunkShape else { return nil }
        let type = try HDF5.check(operation, described) { H5Dget_type(id) }
        defer { H5Tclose(type) }
        return chunkShape.reduce(H5Tget_size(type), *)
    }
}
