import Foundation
import Spindle

/// R ranks as R threads of this process: a `Communicator` per rank whose collectives meet at a
/// shared barrier and sum in rank order. It lets the suite check the data-parallel step (shares,
/// 1/B scaling, dropout keys, identical updates) without MPI; the MPI transport itself is tested
/// end to end under mpirun (SpindleCLITests/MPITests).
final class ThreadRanks: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var arrived = 0, generation = 0
    /// Each rank's buffer during a collective (as raw pointers: Float or Double or UInt64).
    private var slots: [UnsafeMutableRawPointer?]

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    /// Runs `body(communicator)` on `size` threads, one per rank (threads, not a Dispatch queue:
    /// ranks block in collectives until every rank arrives, so each needs a thread of its own),
    /// and returns each one's result in rank order.
    func run<T: Sendable>(_ body: @escaping @Sendable (Communicator) -> T) -> [T] {
        let results = Results<T>(count: size)
        let finished = DispatchGroup()
        for rank in 0..<size {
            finished.enter()
            let thread = Thread { [self] in
                results.set(rank, body(Member(rank: rank, group: self)))
                finished.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        finished.wait()
        return results.all()
    }

    private final class Results<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [T?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: T) { lock.withLock { values[index] = value } }
        func all() -> [T] { lock.withLock { values.map { $0! } } }
    }

    private func barrier() {
        condition.lock()
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        condition.unlock()
    }

    /// Elementwise sum over the ranks, added in rank order, written back on every rank.
    fileprivate func sum<E: AdditiveArithmetic>(_ values: UnsafeMutableBufferPointer<E>, rank: Int) {
        slots[rank] = UnsafeMutableRawPointer(values.baseAddress)
        barrier()
        var total = [E](repeating: .zero, count: values.count)
        for r in 0..<size {
            let other = slots[r]!.assumingMemoryBound(to: E.self)
            for i in total.indices { total[i] += other[i] }
        }
        barrier()  // every rank has read every buffer before any is overwritten
        for i in total.indices { values[i] = total[i] }
        barrier()
    }

    fileprivate func gather(_ value: UInt64, rank: Int) -> [UInt64] {
        var mine = value
        return withUnsafeMutablePointer(to: &mine) { pointer in
            slots[rank] = UnsafeMutableRawPointer(pointer)
            barrier()
            let all = (0..<size).map { slots[$0]!.load(as: UInt64.self) }
            barrier()
            return all
        }
    }

    private final class Member: Communicator, @unchecked Sendable {
        let rank: Int
        let group: ThreadRanks
        var size: Int { group.size }

        init(rank: Int, group: ThreadRanks) { (self.rank, self.group) = (rank, group) }

        func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) { group.sum(values, rank: rank) }
        func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) { group.sum(values, rank: rank) }
        func allgather(_ value: UInt64) -> [UInt64] { group.gather(value, rank: rank) }
        func abort(code: Int32) -> Never { fatalError("ThreadRanks: rank \(rank) aborted with \(code)") }
    }
}
