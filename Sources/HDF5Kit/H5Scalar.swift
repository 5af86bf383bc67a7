/// A Swift number type that HDF5Kit can read and write as dataset elements.
///
/// Reads convert from the file's element type to `h5Type` with HDF5's own conversions
/// (e.g. `uint8` data read as `Float`). Conformances: `UInt8`, `Int8`, `UInt16`, `Int16`,
/// `UInt32`, `Int32`, `UInt64`, `Int64`, `Int` (as `int64`), `Float`, `Double`.
public protocol H5Scalar: BitwiseCopyable, Sendable {
    /// The element type whose in-memory layout equals this Swift type's.
    static var h5Type: H5ElementType { get }
}

extension UInt8: H5Scalar { public static var h5Type: H5ElementType { .uint8 } }
extension Int8: H5Scalar { public static var h5Type: H5ElementType { .int8 } }
extension UInt16: H5Scalar { public static var h5Type: H5ElementType { .uint16 } }
extension Int16: H5Scalar { public static var h5Type: H5ElementType { .int16 } }
extension UInt32: H5Scalar { public static var h5Type: H5ElementType { .uint32 } }
extension Int32: H5Scalar { public static var h5Type: H5ElementType { .int32 } }
extension UInt64: H5Scalar { public static var h5Type: H5ElementType { .uint64 } }
extension Int64: H5Scalar { public static var h5Type: H5ElementType { .int64 } }
extension Float: H5Scalar { public static var h5Type: H5ElementType { .float32 } }
extension Double: H5Scalar { public static var h5Type: H5ElementType { .float64 } }

// `Int` is 64 bits on every platform Swift and HDF5Kit support (64-bit Linux and macOS).
extension Int: H5Scalar { public static var h5Type: H5ElementType { .int64 } }
