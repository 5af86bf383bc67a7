import CHDF5

/// Reading a dataset's storage layout: chunk shape and filter pipeline.
extension H5Dataset {
    /// The layout recorded in a dataset-creation property list.
    struct Layout {
        var chunkShape: [Int]?
        var filters: [String]
        /// The filters of the pipeline that this HDF5 library cannot apply.
        var unavailable: [H5Filter] = []
    }

    /// Reads chunking and filters from `createPlist`. Call while holding the HDF5 lock.
    static func readLayout(_ createPlist: hid_t, _ operation: String, _ path: String) throws -> Layout {
        guard H5Pget_layout(createPlist) == H5D_CHUNKED else {
            return Layout(chunkShape: nil, filters: [])
        }
        // 32 is HDF5's maximum rank (H5S_MAX_RANK).
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = try HDF5.check(operation, path) { H5Pget_chunk(createPlist, Int32(dims.count), &dims) }
        let count = try HDF5.check(operation, path) { H5Pget_nfilters(createPlist) }
        var unavailable: [H5Filter] = []
        let filters = try (0..<UInt32(count)).map { index in
            var flags: UInt32 = 0
            var valueCount = 0
            var config: UInt32 = 0
            var name = [CChar](repeating: 0, count: 256)
            let filter = try HDF5.check(operation, path) {
                H5Pget_filter2(createPlist, index, &flags, &valueCount, nil, name.count, &name, &config)
            }
            let named = filterName(filter, reported: name)
            // Availability is asked of HDF5 itself: a plugin filter (h5py's LZF, Blosc, …) is
            // named in the file whether or not this process can load it, and reading a chunk
            // without it fails with a complaint about plugin directories.
            if H5Zfilter_avail(filter) <= 0 { unavailable.append(H5Filter(id: Int(filter), name: named)) }
            return named
        }
        return Layout(chunkShape: dims.prefix(Int(rank)).map { Int($0) }, filters: filters, unavailable: unavailable)
    }

    /// Short, h5py-style names for the standard filters; other filters by the name they
    /// register, or by number.
    private static func filterName(_ filter: H5Z_filter_t, reported: [CChar]) -> String {
        switch filter {
        case H5Z_FILTER_DEFLATE: return "deflate"
        case H5Z_FILTER_SHUFFLE: return "shuffle"
        case H5Z_FILTER_FLETCHER32: return "fletcher32"
        case H5Z_FILTER_SZIP: return "szip"
        case H5Z_FILTER_NBIT: return "nbit"
        case H5Z_FILTER_SCALEOFFSET: return "scaleoffset"
        default:
            let bytes = reported.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return bytes.isEmpty ? "filter \(filter)" : String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// A filter of a dataset's pipeline, by its registered id and name (`"lzf"`, id 32000).
public struct H5Filter: Sendable, Equatable {
    public var id: Int
    public var name: String
}

extension H5Dataset {
    /// The chunk-cache settings HDF5 holds for this open dataset: hash-table slots, bytes, and
    /// the preemption weight w0. For tests and diagnostics.
    public func chunkCacheSettings() throws -> (slots: Int, bytes: Int, preemption: Double) {
        let operation = "read chunk cache settings of"
        let path = handle.describe()
        return try HDF5.locked {
            let accessPlist = try HDF5.check(operation, path) { H5Dget_access_plist(handle.id) }
            defer { H5Pclose(accessPlist) }
            var slots = 0
            var bytes = 0
            var preemption = 0.0
            try HDF5.check(operation, path) { H5Pget_chunk_cache(accessPlist, &slots, &bytes, &preemption) }
            return (slots, bytes, preemption)
        }
    }
}
