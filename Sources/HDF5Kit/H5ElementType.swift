import CHDF5

/// The numeric element types HDF5Kit reads and writes: integers of 1, 2, 4 and 8 bytes, signed
/// and unsigned, and IEEE floats of 2, 4 and 8 bytes.
///
/// `float16` is IEEE 754 binary16, the layout NumPy's `float16` has and h5py writes. HDF5 1.10
/// has no predefined half type, so HDF5Kit builds one as h5py does; Swift has no `H5Scalar` for
/// it (`Float16` is missing on Intel Macs), so read it converted to `Float` or as raw bits.
///
/// Files are written little-endian whatever the machine (as h5py does), and read into this
/// machine's native layout; HDF5 swaps bytes where the two differ.
public enum H5ElementType: String, Sendable, CaseIterable {
    case uint8, int8, uint16, int16, uint32, int32, uint64, int64, float16, float32, float64

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8: 1
        case .uint16, .int16, .float16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        }
    }

    /// Whether this is one of the integer types.
    public var isInteger: Bool { !isFloat }

    /// Whether this is `float16`, `float32` or `float64`.
    public var isFloat: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// Whether values can be negative (signed integers and floats).
    public var isSigned: Bool {
        switch self {
        case .uint8, .uint16, .uint32, .uint64: false
        default: true
        }
    }

    /// The predefined HDF5 type for this element in memory. Predefined types are never closed.
    var nativeTypeID: hid_t {
        switch self {
        case .uint8: chdf5_H5T_NATIVE_UINT8()
        case .int8: chdf5_H5T_NATIVE_INT8()
        case .uint16: chdf5_H5T_NATIVE_UINT16()
        case .int16: chdf5_H5T_NATIVE_INT16()
        case .uint32: chdf5_H5T_NATIVE_UINT32()
        case .int32: chdf5_H5T_NATIVE_INT32()
        case .uint64: chdf5_H5T_NATIVE_UINT64()
        case .int64: chdf5_H5T_NATIVE_INT64()
        case .float16: Self.halfType()
        case .float32: chdf5_H5T_NATIVE_FLOAT()
        case .float64: chdf5_H5T_NATIVE_DOUBLE()
        }
    }

    /// The predefined HDF5 type written to files: fixed little-endian, so a file's bytes do
    /// not depend on the machine that wrote it.
    var fileTypeID: hid_t {
        switch self {
        case .uint8: chdf5_H5T_STD_U8LE()
        case .int8: chdf5_H5T_STD_I8LE()
        case .uint16: chdf5_H5T_STD_U16LE()
        case .int16: chdf5_H5T_STD_I16LE()
        case .uint32: chdf5_H5T_STD_U32LE()
        case .int32: chdf5_H5T_STD_I32LE()
        case .uint64: chdf5_H5T_STD_U64LE()
        case .int64: chdf5_H5T_STD_I64LE()
        case .float16: Self.halfType()
        case .float32: chdf5_H5T_IEEE_F32LE()
        case .float64: chdf5_H5T_IEEE_F64LE()
        }
    }

    /// IEEE binary16, little-endian (sign bit 15, exponent bits 10–14 with bias 15, mantissa bits
    /// 0–9), made once and never closed, like a predefined type. It serves as both the file and
    /// the memory type: every platform Swift runs on is little-endian.
    /// The HDF5 lock (recursive) guards `madeHalfType`.
    private static func halfType() -> hid_t {
        HDF5.locked {
            guard madeHalfType < 0 else { return madeHalfType }
            // h5py's recipe (h5t.pyx): fields before size, so they fit while the size shrinks.
            let type = H5Tcopy(chdf5_H5T_IEEE_F32LE())
            H5Tset_fields(type, 15, 10, 5, 0, 10)
            H5Tset_size(type, 2)
            H5Tset_ebias(type, 15)
            madeHalfType = type
            return type
        }
    }
    nonisolated(unsafe) private static var madeHalfType: hid_t = -1

    /// Classifies an HDF5 datatype found in a file.
    ///
    /// - Returns: The element type, or a phrase naming what was found instead (for an error
    ///   message), e.g. `"variable-length string"`.
    /// Call while holding the HDF5 lock.
    static func classify(_ typeID: hid_t) -> Result<H5ElementType, UnsupportedType> {
        let size = H5Tget_size(typeID)
        switch H5Tget_class(typeID) {
        case H5T_INTEGER:
            let signed = H5Tget_sign(typeID) == H5T_SGN_2
            switch (size, signed) {
            case (1, false): return .success(.uint8)
            case (1, true): return .success(.int8)
            case (2, false): return .success(.uint16)
            case (2, true): return .success(.int16)
            case (4, false): return .success(.uint32)
            case (4, true): return .success(.int32)
            case (8, false): return .success(.uint64)
            case (8, true): return .success(.int64)
            default: return .failure(UnsupportedType(found: "\(size)-byte integer"))
            }
        case H5T_FLOAT:
            switch size {
            case 2: return .success(.float16)
            case 4: return .success(.float32)
            case 8: return .success(.float64)
            default: return .failure(UnsupportedType(found: "\(8 * size)-bit float"))
            }
        case H5T_STRING:
            let variable = H5Tis_variable_str(typeID) > 0
            return .failure(UnsupportedType(found: variable ? "variable-length string" : "fixed-length string"))
        // h5py stores numpy bool as an enum over int8, which is the likeliest enum to meet.
        case H5T_ENUM: return .failure(UnsupportedType(found: "enum (e.g. numpy bool)"))
        case H5T_COMPOUND: return .failure(UnsupportedType(found: "compound"))
        case H5T_ARRAY: return .failure(UnsupportedType(found: "array"))
        case H5T_VLEN: return .failure(UnsupportedType(found: "variable-length sequence"))
        case H5T_OPAQUE: return .failure(UnsupportedType(found: "opaque"))
        case H5T_BITFIELD: return .failure(UnsupportedType(found: "bitfield"))
        case H5T_REFERENCE: return .failure(UnsupportedType(found: "reference"))
        case H5T_TIME: return .failure(UnsupportedType(found: "time"))
        default: return .failure(UnsupportedType(found: "unknown"))
        }
    }

    /// A datatype HDF5Kit cannot map to an ``H5ElementType``.
    struct UnsupportedType: Error {
        let found: String

        /// "found <type> elements, expected ..." for an error message.
        var message: String {
            "unsupported element type: found \(found), expected an integer (1, 2, 4 or 8 bytes) or a float (16, 32 or 64 bits)"
        }
    }
}
