/// Reads the IDX format of MNIST and Fashion-MNIST: `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`,
/// as shipped by Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist/.
///
/// Layout (all integers big-endian): magic `00 00 TT DD` where TT is the element type (0x08 = uint8)
/// and DD the number of dimensions; then DD uint32 sizes; then the elements in C order.
/// Images are (N, H, W), flattened here to (N, F = H·W); labels are (N). Files may be gzip-compressed:
/// that is recognized by the 1f 8b magic, not by the name.
public enum IDXReader {
    /// Reads an image file into (N, F) row-major pixels.
    ///
    /// Any uint8 IDX file of rank ≥ 2 is accepted; all dimensions after the first are flattened.
    /// - Parameters:
    ///   - path: the `*-images-idx3-ubyte` file, gzip-compressed or not.
    ///   - limit: read only the first `limit` images (all when `nil` or larger than N).
    /// - Returns: N (after `limit`), F, and the N × F pixels.
    /// - Throws: `ImportError` for a missing, empty, truncated or non-image file, a bad `limit`,
    ///   or data beyond what the header describes.
    public static func readImages(_ path: String, limit: Int? = nil) throws
        -> (rows: Int, features: Int, pixels: [UInt8])
    {
        let file = try IDXFile.read(path, kind: .images, limit: limit)
        return (file.rows, file.rowLength, file.data)
    }

    /// Reads a label file into class indices.
    ///
    /// - Parameters:
    ///   - path: the `*-labels-idx1-ubyte` file, gzip-compressed or not.
    ///   - limit: read only the first `limit` labels (all when `nil` or larger than N).
    /// - Throws: `ImportError` as for `readImages`.
    public static func readLabels(_ path: String, limit: Int? = nil) throws -> [Int64] {
        try IDXFile.read(path, kind: .labels, limit: limit).data.map { Int64($0) }
    }

    /// Reads a matching image and label file into one table with uint8 features and class labels.
    ///
    /// - Throws: `ImportError` as for `readImages`, and `.mismatch` when the two headers disagree on
    ///   N (checked on the full counts, before `limit` applies).
    public static func table(images: String, labels: String, limit: Int? = nil) throws -> ImportedTable {
        let x = try IDXFile.read(images, kind: .images, limit: limit)
        let y = try IDXFile.read(labels, kind: .labels, limit: limit)
        guard x.totalRows == y.totalRows else {
            throw ImportError(file: labels, reason: .mismatch,
                              message: "holds \(y.totalRows) labels but \(images) holds \(x.totalRows) images "
                                  + "(expected one label per image)")
        }
        return ImportedTable(rows: x.rows, featureCount: x.rowLength, features: .uint8(x.data),
                             targets: .labels(y.data.map { Int64($0) }))
    }
}

/// One IDX file's header and (possibly limited) data.
struct IDXFile {
    enum Kind {
        case images, labels

        var name: String { self == .images ? "images" : "labels" }
        /// The magic of the canonical file of this kind.
        var canonicalMagic: UInt32 { self == .images ? 0x0000_0803 : 0x0000_0801 }

        func accepts(rank: Int) -> Bool { self == .images ? rank >= 2 : rank == 1 }
    }

    /// N in the header, before any limit.
    var totalRows: Int
    /// Rows actually read.
    var rows: Int
    /// Elements per row: the product of the dimensions after the first (1 for labels).
    var rowLength: Int
    /// (rows, rowLength) row-major.
    var data: [UInt8]

    static func read(_ path: String, kind: Kind, limit: Int?) throws -> IDXFile {
        if let limit, limit < 1 {
            throw ImportError(file: path, reason: .badOption,
                              message: "limit \(limit) asks for no \(kind.name) (expected at least 1)")
        }
        let source = try ImportSource(path: path)
        let magicBytes = try source.read(exactly: 4, of: "a 4-byte IDX magic number")
        let magic = bigEndianUInt32(magicBytes, at: 0)
        let elementType = magicBytes[2]
        let rank = Int(magicBytes[3])
        guard magicBytes[0] == 0, magicBytes[1] == 0, elementType == 0x08, kind.accepts(rank: rank) else {
            throw badMagic(magic, path: path, kind: kind)
        }

        let header = try source.read(exactly: 4 * rank, of: "\(rank) dimension sizes in the IDX header")
        let dims = (0..<rank).map { Int(bigEndianUInt32(header, at: 4 * $0)) }
        let shape = "(" + dims.map(String.init).joined(separator: ", ") + ")"
        guard dims[0] > 0 else {
            throw ImportError(file: path, reason: .empty, message: "header says 0 \(kind.name) (expected at least 1)")
        }
        guard !dims.contains(0) else {
            throw ImportError(file: path, reason: .badFormat, message: "header shape \(shape) has a zero dimension")
        }
        let tooLarge = ImportError(file: path, reason: .badFormat,
                                   message: "header shape \(shape) is impossibly large")
        var rowLength = 1
        for size in dims.dropFirst() {
            let (product, overflow) = rowLength.multipliedReportingOverflow(by: size)
            guard !overflow else { throw tooLarge }
            rowLength = product
        }
        let rows = min(dims[0], limit ?? dims[0])
        let (count, overflow) = rows.multipliedReportingOverflow(by: rowLength)
        guard !overflow else { throw tooLarge }
        let data = try source.read(exactly: count, of: "\(rows) \(kind.name) of shape \(shape) uint8")
        if rows == dims[0], try source.hasMoreData() {
            // A header that undercounts would silently drop data; say so instead.
            throw ImportError(file: path, reason: .mismatch,
                              message: "has more bytes than its header shape \(shape) describes "
                                  + "(expected \(source.offset - 1) bytes in all)")
        }
        return IDXFile(totalRows: dims[0], rows: rows, rowLength: rowLength, data: data)
    }

    private static func badMagic(_ magic: UInt32, path: String, kind: Kind) -> ImportError {
        var message = "bad IDX magic \(hex(magic)) (expected \(hex(kind.canonicalMagic)) for uint8 \(kind.name))"
        let elementType = magic >> 8 & 0xFF
        if magic >> 16 == 0, elementType == 0x08 {
            message += magic & 0xFF == 1 ? "; this looks like a labels file" : "; this looks like an images file"
        } else if magic >> 16 == 0, [0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(elementType) {
            message += "; only uint8 (type 0x08) elements are supported"
        }
        return ImportError(file: path, reason: .badFormat, message: message)
    }

    /// `0x00000803`: eight hex digits, as the IDX documentation writes magics.
    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset ..< offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
