import Foundation

/// A training split streamed from its file through a `PrefetchReader`: block shuffle plus a
/// shuffle window (`StreamPlan`), in bounded memory.
public final class StreamedData: TrainingData {
    public let split: StreamedSplit
    public let plan: StreamPlan
    /// Windows in the reader's ring.
    public let ring: Int
    private let identity: FileIdentity
    private var reader: PrefetchReader?
    /// Rows of each epoch's order that batches take: all of them, or with drop-last the whole
    /// batches' (set by `start`).
    private var takenRows = 0
    private var epochPlan: StreamPlan.Epoch?
    private var pool: WorkerPool?
    /// Each worker's inflation scratch (two chunks), made once.
    private var scratch: [UnsafeMutableRawPointer] = []

    /// - Parameters:
    ///   - plan: the blocks of `split` to train on and how many make a window; a window's rows
    ///     (less one block) must be at least a batch, so that a batch spans at most two windows.
    ///   - prefetch: windows read ahead of the one training is in (ring = prefetch + 1).
    deinit { scratch.forEach { $0.deallocate() } }

    public init(_ split: StreamedSplit, plan: StreamPlan, prefetch: Int) throws {
        precondition(prefetch >= 1, "StreamedData: prefetch at least one window")
        self.split = split
        self.plan = plan
        ring = prefetch + 1
        identity = try FileIdentity(path: split.path)
    }

    public var name: String { split.name }
    public var rows: Int { plan.rows }
    public var featureCount: Int { split.featureCount }
    public var hasLabels: Bool { split.hasLabels }
    public var sampleShape: [Int] { split.sampleShape }

    /// Bytes of the ring's windows: what streaming holds in memory.
    public var ringBytes: Int {
        ring * RowWindow.bytes(rows: plan.windowCapacity, featureCount: split.featureCount,
                               elementType: split.elementType, targets: split.targets)
    }

    public func start(epoch: Int, index: Int, batchSize: Int, epochs: Int, dropLast: Bool) throws {
        stop()
        let smallest = plan.windowCapacity - (plan.blocks.map(\.count).max() ?? 0)
        precondition(plan.windowCount == 1 || smallest >= batchSize,
                     "StreamedData: windows of \(plan.windowCapacity) rows are too small for batches of \(batchSize)")
        takenRows = dropLast ? rows / batchSize * batchSize : rows
        precondition(takenRows > 0, "StreamedData: drop-last with batches of \(batchSize) leaves none of \(rows) rows")
        let first = epoch * plan.windowCount + self.epoch(epoch).window(containing: min(index * batchSize, takenRows - 1))
        reader = PrefetchReader(reader: try BlockReader(split, identity: identity), plan: plan, ring: ring,
                                first: first, end: epochs * plan.windowCount, takenRows: takenRows)
    }

    public func attach(_ pool: WorkerPool) {
        self.pool = pool
        scratch.forEach { $0.deallocate() }
        scratch = []  // made again, one per worker of this pool
    }

    public func batch(epoch: Int, index: Int, batchSize: Int) throws -> Batch {
        guard let reader else { preconditionFailure("StreamedData: batch before start") }
        let e = self.epoch(epoch)
        let lower = index * batchSize, upper = min(lower + batchSize, takenRows)
        precondition(lower < upper, "StreamedData: batch \(index) of batches of \(batchSize) is past the epoch's \(takenRows) rows")
        var runs: [(store: any RowStore, indices: ArraySlice<Int>)] = []
        for w in e.window(containing: lower)...e.window(containing: upper - 1) {
            let window = try reader.window(epoch * plan.windowCount + w)
            try inflate(window, tasks: window.tasks.count - window.nextTask)
            let from = max(lower, e.starts[w]) - e.starts[w], to = min(upper, e.starts[w + 1]) - e.starts[w]
            runs.append((window, window.order[from..<to]))
        }
        return Batch(runs)
    }

    public func finished(epoch: Int, index: Int, batchSize: Int) throws -> Double {
        guard let reader else { return 0 }
        let e = self.epoch(epoch)
        let upper = min((index + 1) * batchSize, takenRows)
        // Windows that end at or before the next batch's first row are done; after the epoch's
        // last batch, all of them (with drop-last, also those holding only the dropped rows).
        let next = upper == takenRows ? e.windows.count : e.window(containing: upper)
        let current = epoch * plan.windowCount + next
        reader.release(before: current)
        guard reader.inflates else { return 0 }
        // Inflate a share of the next window still compressed, so that it is ready when the
        // batches of the current one run out: what is left of it over the batches left.
        let started = DispatchTime.now().uptimeNanoseconds
        let batchesLeft = upper == takenRows ? 1
            : max(1, (min(e.starts[next + 1], takenRows) - upper + batchSize - 1) / batchSize)
        for n in (current + 1)...(current + reader.ring) {
            // Not loaded: not yet, or (drop-last) skipped because it holds only dropped rows.
            guard let window = reader.loadedWindow(n) else { continue }
            let left = window.tasks.count - window.nextTask
            if left > 0 {
                // At least a chunk per worker, so that none of them idles through the pass.
                let share = max((left + batchesLeft - 1) / batchesLeft, pool?.count ?? 1)
                try inflate(window, tasks: min(left, share))
                break
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    /// Inflates the next `count` stored chunks of `window` on the workers.
    private func inflate(_ window: RowWindow, tasks count: Int) throws {
        guard count > 0, let reader else { return }
        let tasks = window.tasks[window.nextTask..<(window.nextTask + count)]
        let failures = Failures()
        let location = "\(split.path):\(split.paths.x)", shuffled = reader.shuffled
        let workers = pool?.count ?? 1
        if scratch.isEmpty {
            let chunkBytes = 2 * (split.chunkBytes ?? 0)
            scratch = (0..<workers).map { _ in .allocate(byteCount: chunkBytes, alignment: 64) }
        }
        let scratch = self.scratch
        let run = { (w: Int) in
            let mine = Partition.part(tasks.count, index: w, of: workers)
            for task in tasks[(tasks.startIndex + mine.lowerBound)..<(tasks.startIndex + mine.upperBound)] {
                do {
                    try window.inflate(task, shuffled: shuffled, location: location, scratch: scratch[w])
                } catch {
                    failures.add(error)
                }
            }
        }
        if let pool { pool.run(run) } else { run(0) }
        window.nextTask += count
        if let error = failures.first { throw error }
    }

    /// Errors met by workers, the first kept.
    private final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [Error] = []
        func add(_ error: Error) { lock.lock(); errors.append(error); lock.unlock() }
        var first: Error? { lock.lock(); defer { lock.unlock() }; return errors.first }
    }

    public func stop() {
        reader?.stop()
        reader = nil
    }

    private func epoch(_ epoch: Int) -> StreamPlan.Epoch {
        if epochPlan?.epoch != epoch { epochPlan = plan.epoch(epoch) }
        return epochPlan!
    }
}
