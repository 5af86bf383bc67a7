import CHDF5

/// Builders for the property lists HDF5Kit passes to create and open calls.
///
/// Each returns a new property-list identifier that the caller closes with `H5Pclose`, in a
/// `defer` next to the call. Call while holding the HDF5 lock.
enum H5PropertyList {
    /// Link creation that also creates missing groups along the path (like `mkdir -p`).
    static func linkCreation(_ operation: String, _ path: String) throws -> hid_t {
        try make(chdf5_H5P_LINK_CREATE(), operation, path) { plist in
            try HDF5.check(operation, path) { H5Pset_create_intermediate_group(plist, 1) }
        }
    }

    /// Dataset creation: chunked layout and filters, or the default contiguous layout.
    ///
    /// Filters run in the order h5py uses: shuffle (regroups bytes so similar bytes sit
    /// together), then deflate, then Fletcher-32 last so the checksum covers the bytes
    /// actually stored.
    static func datasetCreation(
        chunkShape: [Int]?, gzipLevel: Int?, shuffle: Bool, fletcher32: Bool,
        _ operation: String, _ path: String
    ) throws -> hid_t {
        try make(chdf5_H5P_DATASET_CREATE(), operation, path) { plist in
            guard let chunkShape else { return }
            var dims = chunkShape.map { hsize_t($0) }
            try HDF5.check(operation, path) { H5Pset_chunk(plist, Int32(dims.count), &dims) }
            if shuffle {
                try HDF5.check(operation, path) { H5Pset_shuffle(plist) }
            }
            if let gzipLevel {
                guard H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 else {
                    throw HDF5Error(operation: operation, path: path, message: "this HDF5 library was built without the deflate (gzip) filter")
                }
                try HDF5.check(operation, path) { H5Pset_deflate(plist, UInt32(gzipLevel)) }
            }
            if fletcher32 {
                try HDF5.check(operation, path) { H5Pset_fletcher32(plist) }
            }
        }
    }

    /// Dataset access with a chunk cache of `cacheBytes` for chunks of `chunkBytes` each.
    static func datasetAccess(
        cacheBytes: Int, chunkBytes: Int, _ operation: String, _ path: String
    ) throws -> hid_t {
        try make(chdf5_H5P_DATASET_ACCESS(), operation, path) { plist in
            let slots = chunkCacheSlots(cacheBytes: cacheBytes, chunkBytes: chunkBytes)
            // w0 = 1: evict chunks that have been read completely first. Training reads each
            // chunk once per pass, front to back, so a fully read chunk is the least likely
            // to be needed again soon.
            try HDF5.check(operation, path) { H5Pset_chunk_cache(plist, slots, cacheBytes, 1.0) }
        }
    }

    /// The number of hash-table slots for a chunk cache.
    ///
    /// HDF5's guidance: about 100 times the number of chunks that fit in the cache, and prime,
    /// so that chunk indices spread evenly over the slots. Each slot is one pointer, so the
    /// table is capped at about a million slots (8 MB); past that, more slots cost memory
    /// and save almost nothing.
    static func chunkCacheSlots(cacheBytes: Int, chunkBytes: Int) -> Int {
        let chunksThatFit = max(1, cacheBytes / max(1, chunkBytes))
        let target = min(chunksThatFit.multipliedReportingOverflow(by: 100).partialValue, 1_000_000)
        var candidate = max(target, 2)
        while !isPrime(candidate) { candidate += 1 }
        return candidate
    }

    private static func isPrime(_ n: Int) -> Bool {
        guard n >= 2 else { return false }
        var divisor = 2
        while divisor * divisor <= n {
            if n % divisor == 0 { return false }
            divisor += 1
        }
        return true
    }

    /// Creates a property list of `listClass`, configures it, and closes it again if
    /// configuring fails (so no identifier leaks on the error path).
    private static func make(
        _ listClass: hid_t, _ operation: String, _ path: String, configure: (hid_t) throws -> Void
    ) throws -> hid_t {
        try HDF5.locked {
            let plist = try HDF5.check(operation, path) { H5Pcreate(listClass) }
            do {
                try configure(plist)
            } catch {
                H5Pclose(plist)
                throw error
            }
            return plist
        }
    }
}
