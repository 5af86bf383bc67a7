import Foundation
import SpindleTestSupport
import Testing

// Helpers of the MPI tests: find mpirun and the MPI-enabled spindle, and run them.
//
// The MPI build lives in its own scratch path, because a package trait changes every module's
// flags: `swift build -c release --traits MPI --scratch-path .build-mpi` (.ci/run does this
// before `swift test`). SPINDLE_MPI_BINARY names another binary.

enum MPI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// mpirun on PATH, or nil.
    static let mpirun: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/mpirun" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The spindle built with the MPI trait, or nil.
    static let binary: String? = {
        let path = ProcessInfo.processInfo.environment["SPINDLE_MPI_BINARY"]
            ?? repository.appendingPathComponent(".build-mpi/release/spindle").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    static var available: Bool { mpirun != nil && binary != nil }
    static let skipReason: Comment = Comment(rawValue: "needs mpirun (apt-get install openmpi-bin libopenmpi-dev) and the " +
        "MPI build (swift build -c release --traits MPI --scratch-path .build-mpi, or SPINDLE_MPI_BINARY)")

    /// The bundled dataset, by absolute path (ranks run in a scratch directory).
    static let data = repository.appendingPathComponent("data/fashion-mnist-small.h5").path

    /// mpirun's environment: this suite runs as root in CI, which Open MPI refuses unless told.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging([
            "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            // No InfiniBand/other fabrics on a test machine: stop Open MPI probing for them.
            "OMPI_MCA_btl": "self,vader,tcp", "OMPI_MCA_pml": "ob1",
        ]) { $1 }
    }

    /// `mpirun --oversubscribe -np ranks <spindle> arguments…`, started in `directory`.
    static func start(ranks: Int, _ arguments: [String], binary: String? = nil, in directory: TemporaryDirectory,
                      launcher: [String] = []) throws -> RunningProcess {
        try launch(mpirun!, ["--oversubscribe", "-np", String(ranks)] + launcher + [binary ?? Self.binary!] + arguments,
                   in: directory)
    }

    /// Any program started in `directory` with mpirun's environment.
    static func launch(_ executable: String, _ arguments: [String], in directory: TemporaryDirectory) throws -> RunningProcess {
        try RunningProcess(URL(fileURLWithPath: executable), arguments, in: directory.url, environment: environment)
    }

    /// Runs it to completion (recording an issue after `timeout` seconds).
    static func run(ranks: Int, _ arguments: [String], binary: String? = nil, in directory: TemporaryDirectory,
                    timeout: Double = 120, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        try start(ranks: ranks, arguments, binary: binary, in: directory).finish(timeout: timeout, sourceLocation: sourceLocation)
    }

    /// Runs it and records an issue, with its output, unless it exits 0.
    @discardableResult
    static func succeeds(ranks: Int, _ arguments: [String], in directory: TemporaryDirectory,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try run(ranks: ranks, arguments, in: directory, sourceLocation: sourceLocation)
        #expect(result.status == 0, "mpirun -np \(ranks) spindle \(arguments.joined(separator: " ")):\n\(result.transcript)",
                sourceLocation: sourceLocation)
        return result
    }
}

extension RunningProcess {
    /// The process ids of its descendants whose environment says they are MPI rank `rank`.
    func pid(ofRank rank: Int) -> pid_t? {
        var parents: Set<pid_t> = [process.processIdentifier]
        var found: pid_t?
        // Two passes: mpirun may start the ranks directly or through a daemon.
        for _ in 0..<3 {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(entry),
                      let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 1, let parent = pid_t(fields[1]), parents.contains(parent) else { continue }
                parents.insert(pid)
                let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/environ"))) ?? Data()
                if environment.split(separator: 0).contains(Data("OMPI_COMM_WORLD_RANK=\(rank)".utf8)) { found = pid }
            }
        }
        return found
    }
}
