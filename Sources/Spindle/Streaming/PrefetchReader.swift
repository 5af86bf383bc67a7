import Foundation

/// The thread that does a streamed split's HDF5 I/O: it loads shuffle windows, in the order
/// training visits them, into a ring of reused `RowWindow`s, up to `ring - 1` windows ahead of
/// the oldest one training still uses.
///
/// Windows are numbered across epochs: window w of epoch e is sequence number e·W + w (W windows
/// per epoch), and lives in ring slot number mod ring size. Training asks for a number (waiting if
/// it is not loaded yet) and releases numbers once no batch needs them, which frees their slots.
/// A window whose rows all lie past `takenRows` of its epoch (drop-last: only the partial batch
/// that is never taken) is skipped: not read, and no slot held for it.
final class PrefetchReader: @unchecked Sendable {
    let plan: StreamPlan
    private let reader: BlockReader
    private let slots: [RowWindow]
    var ring: Int { slots.count }
    private let end: Int
    private let takenRows: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var loaded: [Int]
    private var released: Int
    private var failure: Error?
    private var stopped = false
    private var running = true

    /// Starts loading from window number `first` up to (not including) `end`.
    /// - Parameter takenRows: rows of each epoch's order that training takes: `plan.rows`, or
    ///   fewer with drop-last.
    init(reader: BlockReader, plan: StreamPlan, ring: Int, first: Int, end: Int, takenRows: Int) {
        precondition(ring >= 2, "PrefetchReader: a batch may span two windows, so the ring needs two or more")
        self.plan = plan
        self.reader = reader
        let split = reader.split
        slots = (0..<ring).map { _ in
            RowWindow(featureCount: split.featureCount, elementType: split.elementType,
                      capacity: plan.windowCapacity, targets: split.targets)
        }
        loaded = Array(repeating: -1, count: ring)
        released = first
        self.end = end
        self.takenRows = takenRows
        let thread = Thread { [self] in load(from: first) }
        thread.name = "spindle-reader"
        thread.start()
    }

    /// Window number `n`, once loaded. Throws what the reader failed with.
    func window(_ n: Int) throws -> RowWindow {
        condition.lock()
        defer { condition.unlock() }
        precondition(n >= released && n < end, "PrefetchReader: window \(n) outside \(released)..<\(end)")
        while loaded[n % slots.count] != n {
            if let failure { throw failure }
            condition.wait()
        }
        return slots[n % slots.count]
    }

    /// Window number `n` if it is loaded now, without waiting.
    func loadedWindow(_ n: Int) -> RowWindow? {
        condition.lock()
        defer { condition.unlock() }
        guard n < end, loaded[n % slots.count] == n else { return nil }
        return slots[n % slots.count]
    }

    /// Whether the windows' chunks come stored, for the workers to inflate.
    var inflates: Bool { reader.inflates }
    var shuffled: Bool { reader.shuffled }

    /// Windows before number `n` are no longer needed.
    func release(before n: Int) {
        condition.lock()
        released = max(released, n)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread after the read in progress, and waits for it.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    deinit { stop() }

    private func load(from first: Int) {
        var epoch: StreamPlan.Epoch? = nil
        let perEpoch = plan.windowCount
        var n = first
        defer {
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }
        while n < end {
            if epoch?.epoch != n / perEpoch { epoch = plan.epoch(n / perEpoch) }
            let w = n % perEpoch
            if epoch!.starts[w] >= takenRows {
                n += 1  // no batch takes a row of it: nothing to read, nor wait for a slot for
                continue
            }
            condition.lock()
            while !stopped && n - released >= slots.count { condition.wait() }
            let stop = stopped
            condition.unlock()
            if stop { return }
            let slot = slots[n % slots.count]
            do {
                try reader.read(epoch!.windows[w], into: slot)
                slot.order = epoch!.order(w)
            } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.lock()
            loaded[n % slots.count] = n
            condition.broadcast()
            condition.unlock()
            n += 1
        }
    }
}
