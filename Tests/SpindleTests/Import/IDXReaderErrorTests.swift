import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Every IDX mistake a user can make gives one line naming the file, what was found and what was expected.
@Suite("IDXReader errors")
struct IDXReaderErrorTests {
    static let images = ImportFixtures.idx(dims: [3, 2, 2], data: Array(0 ..< 12))
    static let labels = ImportFixtures.idx(dims: [3], data: [1, 2, 3])

    /// A broken image file: its bytes, the expected reason and text.
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var bytes: [UInt8]
        var reason: ImportError.Reason
        var message: String
    }

    static let imageCases: [Case] = [
        Case(description: "empty", bytes: [], reason: .empty, message: "file is empty"),
        Case(description: "zero magic", bytes: [0, 0, 0, 0] + Array(images.dropFirst(4)), reason: .badFormat,
             message: "bad IDX magic 0x00000000 (expected 0x00000803 for uint8 images)"),
        Case(description: "labels given as images", bytes: labels, reason: .badFormat,
             message: "bad IDX magic 0x00000801 (expected 0x00000803 for uint8 images); this looks like a labels file"),
        Case(description: "float elements", bytes: ImportFixtures.idx(dims: [1, 1], data: [0, 0, 0, 0], elementType: 0x0D),
             reason: .badFormat,
             message: "bad IDX magic 0x00000D02 (expected 0x00000803 for uint8 images); only uint8 (type 0x08) elements are supported"),
        Case(description: "short magic", bytes: [0, 0, 8], reason: .truncated,
             message: "truncated: found 3 bytes, expected 4 for a 4-byte IDX magic number"),
        Case(description: "short header", bytes: Array(images.prefix(10)), reason: .truncated,
             message: "truncated: found 10 bytes, expected 16 for 3 dimension sizes"),
        Case(description: "short data", bytes: Array(images.prefix(20)), reason: .truncated,
             message: "truncated: found 20 bytes, expected 28 for 3 images of shape (3, 2, 2) uint8"),
        Case(description: "zero images", bytes: ImportFixtures.idx(dims: [0, 2, 2], data: []), reason: .empty,
             message: "header says 0 images (expected at least 1)"),
        Case(description: "zero width", bytes: ImportFixtures.idx(dims: [2, 0, 2], data: []), reason: .badFormat,
             message: "header shape (2, 0, 2) has a zero dimension"),
        Case(description: "trailing data", bytes: images + [7], reason: .mismatch,
             message: "has more bytes than its header shape (3, 2, 2) describes (expected 28 bytes in all)"),
    ]

    @Test("broken image files", arguments: imageCases)
    func brokenImages(_ broken: Case) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("train-images-idx3-ubyte", bytes: broken.bytes)
        ImportFixtures.expectImportError(broken.reason, "\(path): \(broken.message)") {
            _ = try IDXReader.readImages(path)
        }
    }

    @Test("a truncated gzip stream reports the bytes it held")
    func truncatedGzip() throws {
        let dir = try TemporaryDirectory()
        let full = try dir.writeGzip("whole.gz", bytes: ImportFixtures.idx(dims: [100, 28, 28], data: (0 ..< 78_400).map { UInt8($0 % 7) }))
        let compressed = try Array(Data(contentsOf: URL(fileURLWithPath: full)))
        let path = try dir.write("cut.gz", bytes: Array(compressed.prefix(compressed.count / 2)))
        ImportFixtures.expectImportError(.truncated, "(the gzip stream is cut off), expected 78416 for 100 images") {
            _ = try IDXReader.readImages(path)
        }
    }

    @Test("corrupt gzip data is reported with zlib's message")
    func corruptGzip() throws {
        let dir = try TemporaryDirectory()
        let full = try dir.writeGzip("whole.gz", bytes: ImportFixtures.idx(dims: [3], data: [1, 2, 3]))
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: full)))
        bytes[2] = 9  // compression method 9 does not exist; only 8 (deflate) does
        let path = try dir.write("bad.gz", bytes: bytes)
        ImportFixtures.expectImportError(.unreadable, "\(path): corrupt gzip data: ") {
            _ = try IDXReader.readLabels(path)
        }
    }

    @Test("image and label counts must match")
    func countMismatch() throws {
        let dir = try TemporaryDirectory()
        let images = try dir.write("images", bytes: Self.images)
        let labels = try dir.write("labels", bytes: ImportFixtures.idx(dims: [2], data: [1, 2]))
        ImportFixtures.expectImportError(.mismatch,
                                         "\(labels): holds 2 labels but \(images) holds 3 images (expected one label per image)") {
            _ = try IDXReader.table(images: images, labels: labels, limit: 1)
        }
    }

    @Test("images given as labels")
    func imagesAsLabels() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("labels", bytes: Self.images)
        ImportFixtures.expectImportError(.badFormat,
                                         "bad IDX magic 0x00000803 (expected 0x00000801 for uint8 labels); this looks like an images file") {
            _ = try IDXReader.readLabels(path)
        }
    }

    @Test("missing file, directory and a bad limit", arguments: [0, -1])
    func openingMistakes(limit: Int) throws {
        let dir = try TemporaryDirectory()
        let missing = dir.path("nope-idx1-ubyte.gz")
        ImportFixtures.expectImportError(.cannotOpen, "\(missing): no such file") {
            _ = try IDXReader.readLabels(missing)
        }
        ImportFixtures.expectImportError(.cannotOpen, "is a directory, expected a file") {
            _ = try IDXReader.readLabels(dir.url.path)
        }
        let path = try dir.write("labels", bytes: Self.labels)
        ImportFixtures.expectImportError(.badOption, "\(path): limit \(limit) asks for no labels (expected at least 1)") {
            _ = try IDXReader.readLabels(path, limit: limit)
        }
    }
}
