import HDF5Kit
import SpindleTestSupport
import Testing

/// Layouts, filters, chunk caches and the edges of row-range I/O.
@Suite struct DatasetTests {
    @Test func chunkedCompressedChecksummedRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("filtered.h5")
        // (N, F) = (1000, 7) floats in chunks of 128 rows; N is not a multiple of the chunk.
        let (N, F) = (1000, 7)
        let values = (0..<N * F).map { Float($0 % 97) * 0.25 }
        do {
            let file = try H5File.create(path)
            let dataset = try file.createDataset(
                "train/x", type: .float32, shape: [N, F], chunkShape: [128, F],
                gzipLevel: 4, shuffle: true, fletcher32: true
            )
            #expect(dataset.chunkShape == [128, F])
            #expect(dataset.filters == ["shuffle", "deflate", "fletcher32"])
            try dataset.write(values)
        }

        let file = try H5File.open(path)
        let dataset = try file.openDataset("train/x", chunkCacheBytes: 16 << 20)
        #expect(dataset.chunkShape == [128, F])
        #expect(dataset.filters == ["shuffle", "deflate", "fletcher32"])
        let all: [Float] = try dataset.readAll()
        #expect(all == values)
        // A range that straddles chunk boundaries.
        let middle: [Float] = try dataset.read(rows: 100..<300)
        #expect(middle == Array(values[100 * F..<300 * F]))
    }

    @Test func contiguousDatasetHasNoChunksOrFilters() throws {
        let directory = try TemporaryDirectory()
        let file = try H5File.create(directory.path("plain.h5"))
        let dataset = try file.createDataset("y", type: .int64, shape: [4])
        #expect(dataset.chunkShape == nil)
        #expect(dataset.filters.isEmpty)
        try dataset.write([3, 1, 4, 1] as [Int])
        // A chunk cache is meaningless without chunks, and harmless.
        let reopened = try file.openDataset("/y", chunkCacheBytes: 1 << 20)
        let labels: [Int] = try reopened.readAll()
        #expect(labels == [3, 1, 4, 1])
    }

    @Test func scalarAndEmptyDatasets() throws {
        let directory = try TemporaryDirectory()
        let file = try H5File.create(directory.path("edges.h5"))
        let scalar = try file.createDataset("scalar", type: .float64, shape: [])
        #expect(scalar.rowCount == 1)
        #expect(scalar.elementCount == 1)
        try scalar.write([2.5])
        let scalarValues: [Double] = try scalar.readAll()
        #expect(scalarValues == [2.5])

        let empty = try file.createDataset("empty", type: .uint8, shape: [0, 784], chunkShape: [256, 784])
        #expect(empty.rowCount == 0)
        let nothing: [UInt8] = try empty.readAll()
        #expect(nothing.isEmpty)
    }

    @Test func writingToAReadOnlyFileThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("readonly.h5")
        _ = try H5File.create(path).createDataset("x", type: .int32, shape: [2])
        let dataset = try H5File.open(path, mode: .readOnly).openDataset("x")
        let error = try #require(throws: HDF5Error.self) { try dataset.write([1, 2] as [Int32]) }
        #expect(error.operation == "write rows 0..<2 of dataset")
        #expect(error.path == "\(path):/x")
        #expect(error.message.contains("no write intent"))
    }

    @Test func readWriteModeAllowsUpdates() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("update.h5")
        try H5File.create(path).createDataset("x", type: .int16, shape: [3, 2]).write([0, 0, 0, 0, 0, 0] as [Int16])
        let file = try H5File.open(path, mode: .readWrite)
        let dataset = try file.openDataset("x")
        try [Int16(7), 8].withUnsafeBufferPointer { try dataset.write(rows: 1..<2, from: $0) }
        try file.flush()
        let values: [Int16] = try dataset.readAll()
        #expect(values == [0, 0, 7, 8, 0, 0])
    }

    @Test func concurrentReadsAreSerializedSafely() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("concurrent.h5")
        // (N, F) = (4096, 16) int32, chunked and compressed so each read does real work.
        let (N, F) = (4096, 16)
        let values = (0..<N * F).map { Int32($0) }
        let dataset = try H5File.create(path).createDataset(
            "x", type: .int32, shape: [N, F], chunkShape: [256, F], gzipLevel: 1)
        try dataset.write(values)

        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let lo = (task * 251) % (N - 300)
                    let rows: [Int32] = try dataset.read(rows: lo..<lo + 300)
                    return rows == Array(values[lo * F..<(lo + 300) * F]) ? 0 : 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test func chunkCacheIsSizedFromTheChunk() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("cache.h5")
        // Chunks of (256, 784) uint8 = 200,704 bytes; 64 MiB holds 334 of them.
        _ = try H5File.create(path).createDataset("x", type: .uint8, shape: [1024, 784], chunkShape: [256, 784])
        let file = try H5File.open(path)
        let dataset = try file.openDataset("x", chunkCacheBytes: 64 << 20)
        let cache = try dataset.chunkCacheSettings()
        #expect(cache.bytes == 64 << 20)
        #expect(cache.slots == 33_403)  // next prime after 334 × 100
        #expect(cache.preemption == 1.0)
    }

    @Test func chunkCacheIsFixedByTheFirstOpen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("shared-cache.h5")
        _ = try H5File.create(path).createDataset("x", type: .uint8, shape: [1024, 784], chunkShape: [256, 784])
        let file = try H5File.open(path)
        // HDF5 shares one cache among all opens of a dataset, so a later, larger request is
        // ignored while the first open is alive: open with the cache size first.
        let first = try file.openDataset("x")
        let second = try file.openDataset("x", chunkCacheBytes: 64 << 20)
        #expect(try second.chunkCacheSettings().bytes == first.chunkCacheSettings().bytes)
        #expect(try second.chunkCacheSettings().bytes != 64 << 20)
    }
}
