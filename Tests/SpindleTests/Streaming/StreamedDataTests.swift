import Foundation
import HDF5Kit
import Spindle
import Testing

/// The reader thread and its ring of windows deliver exactly the plan's rows, resume anywhere,
/// convert every stored type as loading whole does, and refuse a file that changes underneath.
struct StreamedDataTests {
    /// 300 rows in blocks of 16, windows of 4 blocks: batches of 24 cross windows often.
    static func streamed(_ fixture: StreamFixture, prefetch: Int = 1, seed: UInt64 = 3) throws -> StreamedData {
        let split = try fixture.streamed()
        let plan = StreamPlan(blocks: StreamPlan.blocks(rows: 0..<split.rows, blockRows: 16), windowBlocks: 4,
                              seed: seed, shuffled: true)
        return try StreamedData(split, plan: plan, prefetch: prefetch)
    }

    @Test(arguments: [1, 3])
    func batchesHoldThePlansRows(prefetch: Int) throws {
        let fixture = try StreamFixture(rows: 300, features: 5)
        let data = try Self.streamed(fixture, prefetch: prefetch)
        let batchSize = 24, steps = (300 + batchSize - 1) / batchSize
        try data.start(epoch: 0, index: 0, batchSize: batchSize, epochs: 2, dropLast: false)
        defer { data.stop() }
        for epoch in 0..<2 {
            let expected = data.plan.epoch(epoch).fileRows()
            for index in 0..<steps {
                let batch = try data.batch(epoch: epoch, index: index, batchSize: batchSize)
                let rows = Array(expected[(index * batchSize)..<min((index + 1) * batchSize, 300)])
                let (x, y) = try gathered(batch, features: 5)
                let want = try gathered(Batch(split: fixture.split, indices: rows[...]), features: 5)
                #expect(x == want.x && y == want.y, "epoch \(epoch) batch \(index)")
                _ = try data.finished(epoch: epoch, index: index, batchSize: batchSize)
            }
        }
    }

    @Test func resumingMidEpochDeliversTheSameBatches() throws {
        let fixture = try StreamFixture(rows: 300, features: 5)
        let whole = try Self.streamed(fixture), resumed = try Self.streamed(fixture)
        try whole.start(epoch: 0, index: 0, batchSize: 24, epochs: 2, dropLast: false)
        try resumed.start(epoch: 1, index: 5, batchSize: 24, epochs: 2, dropLast: false)
        defer { whole.stop(); resumed.stop() }
        var expected: [[Float]] = []
        for epoch in 0..<2 {
            for index in 0..<13 {
                let batch = try whole.batch(epoch: epoch, index: index, batchSize: 24)
                if epoch == 1 && index >= 5 { expected.append(try gathered(batch, features: 5).x) }
                _ = try whole.finished(epoch: epoch, index: index, batchSize: 24)
            }
        }
        for index in 5..<13 {
            let batch = try resumed.batch(epoch: 1, index: index, batchSize: 24)
            #expect(try gathered(batch, features: 5).x == expected[index - 5])
            _ = try resumed.finished(epoch: 1, index: index, batchSize: 24)
        }
    }

    @Test(arguments: [H5ElementType.uint8, .int16, .int64, .float16, .float64, .float32])
    func storedTypesConvertAsWhenLoadedWhole(type: H5ElementType) throws {
        let fixture = try StreamFixture(rows: 70, features: 3, type: type, chunkRows: 8)
        let whole = try DatasetReader.load(try DatasetReader.openFile(fixture.path), .named("train"))
        let rows = try StreamedRows(try fixture.streamed(), windowRows: 20)
        var streamed: [Float] = []
        try rows.forEachChunk(rows: 9) { streamed += try gathered($0, features: 3).x }
        #expect(try streamed == gathered(Batch(split: whole, indices: Array(0..<70)[...]), features: 3).x)
    }

    /// Evaluation reads of a deflated split (`StreamedRows`) inflate what the reader staged:
    /// before, they handed out the window's uninitialised features (chance-level test accuracy
    /// on the bundled data whenever its test split was streamed).
    @Test(arguments: [(H5ElementType.uint8, false), (.float32, true)])
    func deflatedRowsReadInOrderAsWhenLoadedWhole(type: H5ElementType, shuffle: Bool) throws {
        let fixture = try StreamFixture(rows: 300, features: 5, type: type, chunkRows: 16, gzip: 1, shuffle: shuffle)
        let whole = try DatasetReader.load(try DatasetReader.openFile(fixture.path), .named("train"))
        let rows = try StreamedRows(try fixture.streamed(), windowRows: 40)
        var streamed: [Float] = []
        try rows.forEachChunk(rows: 9) { streamed += try gathered($0, features: 5).x }
        #expect(try streamed == gathered(Batch(split: whole, indices: Array(0..<300)[...]), features: 5).x)
    }

    /// Deflated chunks are copied as stored and inflated by the workers between steps (with or
    /// without HDF5's byte shuffle, the dataset's last chunk partial): the same rows come out.
    @Test(arguments: [(H5ElementType.float32, false), (.float32, true), (.uint8, false), (.int16, true), (.float16, true), (.float64, true)])
    func deflatedChunksInflateOnTheWorkers(type: H5ElementType, shuffle: Bool) throws {
        let fixture = try StreamFixture(rows: 300, features: 5, type: type, chunkRows: 16, gzip: 1, shuffle: shuffle)
        let whole = try DatasetReader.load(try DatasetReader.openFile(fixture.path), .named("train"))
        let data = try Self.streamed(fixture, prefetch: 2)
        data.attach(WorkerPool(count: 2))
        try data.start(epoch: 0, index: 0, batchSize: 24, epochs: 2, dropLast: false)
        defer { data.stop() }
        var worked = 0.0
        for epoch in 0..<2 {
            let expected = data.plan.epoch(epoch).fileRows()
            for index in 0..<13 {
                let batch = try data.batch(epoch: epoch, index: index, batchSize: 24)
                let rows = Array(expected[(index * 24)..<min((index + 1) * 24, 300)])
                #expect(try gathered(batch, features: 5).x == gathered(Batch(split: whole, indices: rows[...]), features: 5).x,
                        "epoch \(epoch) batch \(index)")
                worked += try data.finished(epoch: epoch, index: index, batchSize: 24)
            }
        }
        #expect(worked > 0, "chunks were inflated between steps")
    }

    /// Streaming of `fixture` in batches of 24, its first batch taken: the reader has begun.
    static func startedAfterOneBatch(_ fixture: StreamFixture) throws -> StreamedData {
        let data = try streamed(fixture)
        try data.start(epoch: 0, index: 0, batchSize: 24, epochs: 1, dropLast: false)
        _ = try data.batch(epoch: 0, index: 0, batchSize: 24)
        _ = try data.finished(epoch: 0, index: 0, batchSize: 24)
        return data
    }

    /// Takes the epoch's other batches.
    static func readRest(of data: StreamedData) throws {
        for index in 1..<25 {
            _ = try data.batch(epoch: 0, index: index, batchSize: 24)
            _ = try data.finished(epoch: 0, index: index, batchSize: 24)
        }
    }

    @Test func aTruncatedFileStopsTrainingWithAClearError() throws {
        let fixture = try StreamFixture(rows: 600, features: 8)
        let data = try Self.startedAfterOneBatch(fixture)
        defer { data.stop() }
        let size = try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as! Int
        #expect(truncate(fixture.path, off_t(size / 2)) == 0)
        let error = #expect(throws: SpindleError.self) { try Self.readRest(of: data) }
        #expect("\(error!)".contains("was truncated from \(size) to \(size / 2) bytes while training read it"))
    }

    @Test func aRewrittenFileIsAnErrorToo() throws {
        let fixture = try StreamFixture(rows: 600, features: 8)
        let data = try Self.startedAfterOneBatch(fixture)
        defer { data.stop() }
        // Same size, new contents and modification time: what an in-place rewrite looks like.
        let handle = try #require(FileHandle(forWritingAtPath: fixture.path))
        try handle.seek(toOffset: 4096)
        handle.write(Data(repeating: 7, count: 64))
        try handle.close()
        var times = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 1, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, fixture.path, &times, 0) == 0)
        let error = #expect(throws: SpindleError.self) { try Self.readRest(of: data) }
        #expect("\(error!)".contains("was modified while training read it"))
    }

    @Test func nonFiniteFeaturesAreNamedByFileRow() throws {
        let fixture = try StreamFixture(rows: 100, features: 4)
        do {
            let file = try H5File.open(fixture.path, mode: .readWrite)
            let x = try file.openDataset("train/x")
            try [Float]([1, .nan, 2, 3]).withUnsafeBufferPointer { try x.write(rows: 57..<58, from: $0) }
        }
        let rows = try StreamedRows(try fixture.streamed())
        let error = #expect(throws: SpindleError.self) { try rows.forEachChunk(rows: 10) { _ in } }
        #expect("\(error!)".contains("train/x: row 57, column 1 is not finite"))
    }

    @Test func theLayoutFitsWindowsOfABatchAndABlockIntoTheBudget() throws {
        let fixture = try StreamFixture(rows: 3000, features: 10, chunkRows: 50)
        let split = try fixture.streamed()
        #expect(split.blockRows() == 50)  // x is 120,000 bytes: blocks of a 64th, rounded to whole chunks
        #expect(split.blockRows(targetBytes: 1 << 20) == 3000)
        let layout = try split.streamLayout(budget: MemoryBudget(bytes: 1 << 20), prefetch: 2, batchSize: 64,
                                            windowRows: 10)
        #expect(layout.windowBlocks >= 2)
        #expect(throws: SpindleError.self) {
            try split.streamLayout(budget: MemoryBudget(bytes: 1000), prefetch: 2, batchSize: 64)
        }
    }
}
