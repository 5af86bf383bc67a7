import CHDF5

/// A group's API, shared by ``H5Group`` and ``H5File`` (whose API is its root group's).
///
/// Paths may be relative to this group (`"train/x"`) or absolute in the file (`"/train/x"`).
public protocol H5Container: H5Object {}

extension H5Container {
    /// Creates a group, and any missing groups above it.
    ///
    /// - Throws: ``HDF5Error`` if it already exists or the file is read-only.
    public func createGroup(_ path: String) throws -> H5Group {
        let operation = "create group"
        let described = handle.describe(path)
        return try HDF5.locked {
            let linkPlist = try H5PropertyList.linkCreation(operation, described)
            defer { H5Pclose(linkPlist) }
            let id = try HDF5.check(operation, described) {
                H5Gcreate2(handle.id, path, linkPlist, chdf5_H5P_DEFAULT(), chdf5_H5P_DEFAULT())
            }
            return H5Group(handle: H5Handle(opened: id, kind: .group, filePath: handle.filePath))
        }
    }

    /// Opens an existing group.
    ///
    /// - Throws: ``HDF5Error`` if there is no group at `path`.
    public func openGroup(_ path: String) throws -> H5Group {
        try HDF5.locked {
            let id = try HDF5.check("open group", handle.describe(path)) {
                H5Gopen2(handle.id, path, chdf5_H5P_DEFAULT())
            }
            return H5Group(handle: H5Handle(opened: id, kind: .group, filePath: handle.filePath))
        }
    }

    /// Whether `path` names an object. Nested paths work; a missing group on the way, a path
    /// through a dataset, or a dangling link answer `false` rather than throwing.
    public func exists(_ path: String) -> Bool {
        // H5Lexists fails (rather than answering "no") when a group above the last component is
        // missing, so each prefix is checked in turn, from the top.
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = path.hasPrefix("/") ? "/" : ""
        return HDF5.locked {
            for component in components {
                prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
                guard HDF5.answersYes({ H5Lexists(handle.id, prefix, chdf5_H5P_DEFAULT()) }) else { return false }
            }
            // The link exists; the object behind it may not (a dangling soft link).
            let target = prefix.isEmpty ? "." : prefix
            return HDF5.answersYes { H5Oexists_by_name(handle.id, target, chdf5_H5P_DEFAULT()) }
        }
    }

    /// The names of this group's members (groups, datasets, links), sorted.
    ///
    /// - Throws: ``HDF5Error`` if HDF5 cannot list them.
    public func memberNames() throws -> [String] {
        let operation = "list members of"
        let path = handle.describe()
        return try HDF5.locked {
            var info = H5G_info_t()
            try HDF5.check(operation, path) { H5Gget_info(handle.id, &info) }
            let names = try (0..<info.nlinks).map { index in
                let length = try HDF5.check(operation, path) {
                    H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_H5P_DEFAULT())
                }
                var buffer = [CChar](repeating: 0, count: length + 1)
                try HDF5.check(operation, path) {
                    H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, chdf5_H5P_DEFAULT())
                }
                return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            return names.sorted()
        }
    }

    /// What `path` names: a group, a dataset, or something else.
    ///
    /// - Throws: ``HDF5Error`` if nothing exists at `path`.
    public func objectKind(_ path: String) throws -> H5ObjectKind {
        try HDF5.locked {
            let id = try HDF5.check("open object", handle.describe(path)) {
                H5Oopen(handle.id, path, chdf5_H5P_DEFAULT())
            }
            defer { H5Oclose(id) }
            switch H5Iget_type(id) {
            case H5I_GROUP: return .group
            case H5I_DATASET: return .dataset
            default: return .other
            }
        }
    }

    /// Creates a dataset, and any missing groups above it.
    ///
    /// - Parameters:
    ///   - path: Where to create it, e.g. `"train/x"`.
    ///   - type: The element type stored in the file (written little-endian).
    ///   - shape: The size of each dimension (`[]` for a scalar); sizes may be 0.
    ///   - chunkShape: Chunk sizes, one per dimension, each at least 1; `nil` (default) for
    ///     contiguous storage. Filters need chunks. Chunk by rows: `[rowsPerChunk, F]`.
    ///   - gzipLevel: Deflate compression level 0–9, or `nil` for none.
    ///   - shuffle: Apply the byte-shuffle filter before compression.
    ///   - fletcher32: Store a Fletcher-32 checksum with each chunk; reading a corrupted
    ///     chunk then throws.
    /// - Throws: ``HDF5Error`` if the name is taken, the file is read-only, or HDF5 rejects
    ///   the layout. Inconsistent arguments (a negative size, a chunk shape of the wrong rank,
    ///   filters without chunks, a gzip level outside 0–9) are programmer errors and trap.
    public func createDataset(
        _ path: String,
        type: H5ElementType,
        shape: [Int],
        chunkShape: [Int]? = nil,
        gzipLevel: Int? = nil,
        shuffle: Bool = false,
        fletcher32: Bool = false
    ) throws -> H5Dataset {
        try H5Dataset.create(
            in: handle, path: path, type: type, shape: shape, chunkShape: chunkShape,
            gzipLevel: gzipLevel, shuffle: shuffle, fletcher32: fletcher32
        )
    }

    /// Opens an existing dataset.
    ///
    /// - Parameters:
    ///   - path: The dataset's path, e.g. `"train/x"`.
    ///   - chunkCacheBytes: The size of this dataset's chunk cache, for chunked datasets;
    ///     `nil` (default) keeps HDF5's 1 MiB. Give the cache at least one chunk, or every row
    ///     range re-reads (and re-decompresses) the chunks it touches. The hash table gets a
    ///     prime number of slots, about 100 per chunk that fits, and fully read chunks are
    ///     evicted first (w0 = 1). The cache belongs to the dataset while it is open anywhere
    ///     in the process, so the size chosen by the first open wins.
    /// - Throws: ``HDF5Error`` if there is no dataset at `path`, or its element type is not
    ///   one of ``H5ElementType``'s (the message names the type found, e.g.
    ///   "found variable-length string").
    public func openDataset(_ path: String, chunkCacheBytes: Int? = nil) throws -> H5Dataset {
        try H5Dataset.open(in: handle, path: path, chunkCacheBytes: chunkCacheBytes)
    }
}
