#if MPI
import CMPI
import Foundation
import Spindle

/// `Communicator` over MPI_COMM_WORLD: the ranks `mpirun -np R` started.
///
/// Only the thread that created it calls MPI (MPI_THREAD_FUNNELED): the worker threads never do.
/// Errors are returned, not fatal (MPI_ERRORS_RETURN), so that a failed collective prints one
/// line naming the operation and MPI's own message before every rank is stopped with MPI_Abort.
/// A rank that dies outright is handled by the launcher: Open MPI's mpirun then stops the others
/// and exits non-zero.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let world: MPI_Comm

    /// Initializes MPI; call once per process, before any other MPI use.
    /// - Throws: `DistributedError.notAvailable` when MPI cannot start.
    public init() throws {
        Self.preferRingAllreduce()
        var provided: Int32 = 0
        var argc: Int32 = 0
        var status = MPI_Init_thread(&argc, nil, cmpi_MPI_THREAD_FUNNELED(), &provided)
        guard status == cmpi_MPI_SUCCESS() else {
            throw DistributedError.notAvailable(problem: "MPI_Init_thread failed: \(Self.message(status))")
        }
        world = cmpi_MPI_COMM_WORLD()
        MPI_Comm_set_errhandler(world, cmpi_MPI_ERRORS_RETURN())
        var value: Int32 = 0
        status = MPI_Comm_rank(world, &value)
        rank = Int(value)
        if status == cmpi_MPI_SUCCESS() { status = MPI_Comm_size(world, &value) }
        size = Int(value)
        guard status == cmpi_MPI_SUCCESS() else {
            throw DistributedError.notAvailable(problem: "MPI_Comm_size failed: \(Self.message(status))")
        }
    }

    /// Makes Open MPI's allreduce the ring algorithm unless the user chose one. Its default
    /// decision for a 2 MB buffer on 2 ranks took 2.0 ms a step on the development machine against
    /// 0.5 ms for the ring (784-512-256-10, `spindle scale --ranks 2`): the ring sends each rank
    /// 2(R − 1)/R of the buffer, the least any allreduce can, and every rank ends with the same
    /// bits. Open MPI reads these variables in MPI_Init.
    private static func preferRingAllreduce() {
        guard getenv("OMPI_MCA_coll_tuned_allreduce_algorithm") == nil else { return }
        setenv("OMPI_MCA_coll_tuned_use_dynamic_rules", "1", 0)
        setenv("OMPI_MCA_coll_tuned_allreduce_algorithm", "4", 1)  // 4: ring
    }

    /// Ends MPI after a run that every rank finished (a collective).
    public func finalize() {
        MPI_Finalize()
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        check(MPI_Allreduce(cmpi_MPI_IN_PLACE(), base, Int32(values.count), cmpi_MPI_FLOAT(), cmpi_MPI_SUM(), world),
              "MPI_Allreduce of \(values.count) floats")
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress else { return }
        check(MPI_Allreduce(cmpi_MPI_IN_PLACE(), base, Int32(values.count), cmpi_MPI_DOUBLE(), cmpi_MPI_SUM(), world),
              "MPI_Allreduce of \(values.count) doubles")
    }

    public func allgather(_ value: UInt64) -> [UInt64] {
        var mine = value
        var all = [UInt64](repeating: 0, count: size)
        let status = all.withUnsafeMutableBufferPointer { out in
            MPI_Allgather(&mine, 1, cmpi_MPI_UINT64_T(), out.baseAddress, 1, cmpi_MPI_UINT64_T(), world)
        }
        check(status, "MPI_Allgather")
        return all
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(world, code)
        exit(code)  // MPI_Abort does not return in Open MPI; this is for the compiler
    }

    /// Stops every rank with a clear line when an MPI call failed.
    private func check(_ status: Int32, _ operation: @autoclosure () -> String) {
        guard status != cmpi_MPI_SUCCESS() else { return }
        FileHandle.standardError.write(Data(
            "spindle (rank \(rank)): \(operation()) failed: \(Self.message(status)) (another rank stopped or the network failed); stopping every rank\n".utf8))
        abort(code: 1)
    }

    private static func message(_ status: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_MPI_MAX_ERROR_STRING()) + 1)
        var length: Int32 = 0
        MPI_Error_string(status, &buffer, &length)
        return String(cString: buffer)
    }
}
#endif
