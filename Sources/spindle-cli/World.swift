import Foundation
import Spindle
#if MPI
import SpindleMPI
#endif

/// The ranks this process trains among: the processes an MPI launcher (`mpirun -np R`) started,
/// or this process alone.
///
/// Rank 0 alone prints reports and progress and writes logs, checkpoints and the model; the other
/// ranks print only errors, prefixed with their rank (`spindle (rank 1): …`).
enum World {
    /// Set once by `join()`, on the main thread, before any worker thread starts.
    nonisolated(unsafe) private(set) static var communicator: Communicator = SingleProcess()

    /// The rank count the launcher announced in the environment (Open MPI, then MPICH and
    /// Slurm's PMI), or nil when no launcher started this process. Known before MPI starts, so
    /// that even the first error names its rank.
    static var launchedSize: Int? {
        integer("OMPI_COMM_WORLD_SIZE") ?? integer("PMI_SIZE")
    }

    /// This process's rank as the launcher announced it (nil: no launcher).
    static var launchedRank: Int? {
        integer("OMPI_COMM_WORLD_RANK") ?? integer("PMI_RANK")
    }

    /// Whether this process speaks: rank 0, or a process no launcher started.
    static var isPrimary: Bool { (launchedRank ?? 0) == 0 }

    /// "spindle", or "spindle (rank k)" on the other ranks: the start of every message.
    static var messagePrefix: String {
        let rank = launchedRank ?? 0
        return rank == 0 ? "spindle" : "spindle (rank \(rank))"
    }

    /// Whether this build can train across processes.
    static var mpiBuilt: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    /// Joins the ranks the launcher started (MPI_Init), or stays a single process when no
    /// launcher started this one.
    /// - Throws: `DistributedError.notAvailable` when a launcher started several ranks but this
    ///   build has no MPI (each would otherwise train the whole model alone, into the same files).
    static func join() throws -> Communicator {
        guard let size = launchedSize else { return communicator }
        #if MPI
        let mpi = try MPICommunicator()
        communicator = mpi
        return mpi
        #else
        guard size == 1 else {
            throw DistributedError.notAvailable(
                problem: "started as one of \(size) MPI ranks, but this spindle was built without MPI; " +
                    "build it with `swift build -c release --traits MPI` (README, \"Across hosts (MPI)\")")
        }
        return communicator
        #endif
    }

    /// Ends MPI after every rank finished (a collective); nothing for a single process.
    static func finish() {
        #if MPI
        (communicator as? MPICommunicator)?.finalize()
        #endif
    }

    /// Stops this process, and with it every rank, with exit status `code`. After an error that
    /// every rank met at the same point (`together`), the ranks finish MPI and exit; after one
    /// that may be this rank's alone, MPI_Abort stops the others, which would otherwise wait for
    /// it in the next collective forever.
    static func stop(code: Int32, together: Bool) -> Never {
        if communicator.size > 1 {
            if together {
                finish()
            } else {
                communicator.abort(code: code)
            }
        }
        exit(code)
    }

    /// Cores each rank of this host should use by default: the cores this process may run on,
    /// shared among the host's ranks when the launcher did not bind each rank to its own cores.
    static var coresPerRank: Int {
        let cores = WorkerPool.activeProcessorCount
        guard let local = integer("OMPI_COMM_WORLD_LOCAL_SIZE") ?? integer("MPI_LOCALNRANKS"), local > 1,
              cores >= ProcessInfo.processInfo.processorCount else { return cores }
        return max(1, cores / local)
    }

    private static func integer(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }
}
