import CHDF5

/// Anything that carries HDF5 attributes: files (their root group), groups and datasets.
///
/// The attribute API (`setAttribute`, `stringAttribute`, `intAttribute`, …) is implemented once
/// in extensions of this protocol. `H5File`, `H5Group` and `H5Dataset` are the conforming types;
/// conforming other types is not supported.
public protocol H5Object: AnyObject, Sendable {
    /// The owner of this object's HDF5 identifier. Opaque; HDF5Kit's shared implementations
    /// use it.
    var handle: H5Handle { get }
}

extension H5Object {
    /// Whether an attribute called `name` exists on this object. Never throws: any failure
    /// to look (e.g. a closed file) answers `false`.
    public func hasAttribute(_ name: String) -> Bool {
        HDF5.answersYes { H5Aexists(handle.id, name) }
    }

    /// The names of this object's attributes, sorted.
    ///
    /// - Throws: ``HDF5Error`` if HDF5 cannot list them.
    public func attributeNames() throws -> [String] {
        var names: [String] = []
        try withUnsafeMutablePointer(to: &names) { namesPointer in
            var index: hsize_t = 0
            // The C callback cannot capture; the array travels through `op_data`.
            try HDF5.check("list attributes of", handle.describe()) {
                H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, opData in
                    guard let name, let opData else { return -1 }
                    opData.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                    return 0
                }, namesPointer)
            }
        }
        return names.sorted()
    }

    /// Deletes the attribute called `name`.
    ///
    /// - Throws: ``HDF5Error`` if it does not exist or the file is read-only.
    public func deleteAttribute(_ name: String) throws {
        try HDF5.check("delete attribute '\(name)' of", handle.describe()) {
            H5Adelete(handle.id, name)
        }
    }

    // MARK: - Shared plumbing

    /// Opens attribute `name` and hands `body` its identifier, its file datatype and its number
    /// of elements; all three are closed afterwards. Runs entirely under the HDF5 lock.
    func withAttribute<R>(
        _ name: String,
        operation: String,
        _ body: (_ attribute: hid_t, _ type: hid_t, _ count: Int) throws -> R
    ) throws -> R {
        let path = handle.describe()
        return try HDF5.locked {
            let attribute = try HDF5.check(operation, path) { H5Aopen(handle.id, name, chdf5_H5P_DEFAULT()) }
            defer { H5Aclose(attribute) }
            let type = try HDF5.check(operation, path) { H5Aget_type(attribute) }
            defer { H5Tclose(type) }
            let space = try HDF5.check(operation, path) { H5Aget_space(attribute) }
            defer { H5Sclose(space) }
            let count = try HDF5.check(operation, path) { H5Sget_simple_extent_npoints(space) }
            return try body(attribute, type, Int(count))
        }
    }

    /// Creates attribute `name` (replacing any existing one) and writes `data` to it.
    ///
    /// - Parameters:
    ///   - type: The datatype used both in the file and in memory.
    ///   - shape: `nil` for a scalar, `[n]` for a 1-D array.
    ///   - data: The elements, in `type`'s memory layout; ignored when there are none.
    func writeAttribute(_ name: String, type: hid_t, shape: [Int]?, data: UnsafeRawPointer?) throws {
        let operation = "write attribute '\(name)' of"
        let path = handle.describe()
        try HDF5.locked {
            // An attribute's type and shape are fixed at creation, so replacing one means
            // deleting it first.
            if try HDF5.check(operation, path, { H5Aexists(handle.id, name) }) > 0 {
                try HDF5.check(operation, path) { H5Adelete(handle.id, name) }
            }
            let space = try HDF5.check(operation, path) {
                guard let shape else { return H5Screate(H5S_SCALAR) }
                var dims = shape.map { hsize_t($0) }
                return H5Screate_simple(Int32(dims.count), &dims, nil)
            }
            defer { H5Sclose(space) }
            let attribute = try HDF5.check(operation, path) {
                H5Acreate2(handle.id, name, type, space, chdf5_H5P_DEFAULT(), chdf5_H5P_DEFAULT())
            }
            defer { H5Aclose(attribute) }
            // H5Awrite rejects a null buffer even when there is nothing to write.
            if let data, shape.map({ $0.reduce(1, *) }) ?? 1 > 0 {
                try HDF5.check(operation, path) { H5Awrite(attribute, type, data) }
            }
        }
    }
}
