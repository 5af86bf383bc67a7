import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// Fletcher-32 checksums turn silent corruption into a read error with HDF5's own words.
@Suite struct ChecksumTests {
    @Test func corruptedChunkFailsToRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("corrupt.h5")
        // A byte pattern that cannot occur in HDF5's own metadata by accident: (N, F) =
        // (64, 64) uint8, one chunk, uncompressed so the bytes are stored verbatim.
        let (N, F) = (64, 64)
        let pattern = (0..<N * F).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        do {
            let file = try H5File.create(path)
            _ = try file.createDataset("weights", type: .uint8, shape: [N, F], chunkShape: [N, F], fletcher32: true)
                .write(pattern)
            try file.close()
        }
        let intact: [UInt8] = try H5File.open(path).openDataset("weights").readAll()
        #expect(intact == pattern)

        // Flip bytes in the middle of the stored chunk.
        let url = URL(fileURLWithPath: path)
        var bytes = try Data(contentsOf: url)
        let stored = try #require(bytes.range(of: Data(pattern)), "chunk bytes not found in the file")
        let middle = stored.lowerBound + pattern.count / 2
        for offset in middle..<middle + 4 { bytes[offset] ^= 0xFF }
        try bytes.write(to: url)

        let dataset = try H5File.open(path).openDataset("weights")
        let error = try #require(throws: HDF5Error.self) { let _: [UInt8] = try dataset.readAll() }
        #expect(error.operation == "read rows 0..<64 of dataset")
        #expect(error.path == "\(path):/weights")
        #expect(error.message.lowercased().contains("checksum"))
    }
}
