import Foundation
import Spindle

/// `spindle scale --ranks 1,2`: the measurement repeated with each rank count, R > 1 under
/// `MPIRUN -np R` (this same spindle, which must be the MPI build), then one table of
/// ranks × workers. One rank is measured in this process.
struct ScaleRanks {
    let scale: Scale
    let ranks: [Int]

    func run() throws {
        let counts = Array(Set(ranks)).sorted()
        let workers = try scale.workerCounts()
        if counts.contains(where: { $0 > 1 }) && !World.mpiBuilt {
            throw SpindleCLIError("--ranks \(counts.filter { $0 > 1 }.map(String.init).joined(separator: ",")) needs " +
                                  "the MPI build of spindle: swift build -c release --traits MPI (README, \"Across hosts (MPI)\")")
        }
        let launcher = scale.mpirun.split(separator: " ").map(String.init)
        if counts.contains(where: { $0 > 1 }) { try Self.checkOnPath(launcher[0]) }
        let paths = (json: scale.outputPrefix + ".json", svg: scale.outputPrefix + ".svg")
        try [paths.json, paths.svg].forEach(Scale.checkWritable)
        let prepared = try scale.prepare()  // data mistakes before any launch
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spindle-scale-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var reports: [(ranks: Int, report: ScalingReport)] = []
        for r in counts {
            if !scale.json {
                note("spindle: measuring \(r) rank\(r == 1 ? "" : "s") × \(workers.map(String.init).joined(separator: ",")) " +
                     "worker(s), \(scale.repeats) × \(scale.steps) steps each…")
            }
            if r == 1 {
                reports.append((1, try scale.measure(prepared, workerCounts: workers)))
            } else {
                reports.append((r, try launch(ranks: r, launcher: launcher, prefix: scratch.appendingPathComponent("ranks-\(r)").path)))
            }
        }
        let report = RankScalingReport(combining: reports)
        try AtomicFile.write(to: paths.json) { temporary in
            do {
                try report.jsonData().write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw SpindleError.cannotWrite(path: paths.json, reason: error.localizedDescription)
            }
        }
        try report.speedupPlot().write(to: paths.svg)
        if scale.json {
            print(String(decoding: try report.jsonData(pretty: false), as: UTF8.self))
            note("spindle: wrote \(paths.json) and \(paths.svg)")
        } else {
            RankScaleTable.print(report)
            print("wrote \(paths.json) and \(paths.svg)")
        }
    }

    /// Runs `launcher -np ranks <this spindle> scale …` with this command's measurement options and
    /// reads back the report rank 0 wrote.
    private func launch(ranks: Int, launcher: [String], prefix: String) throws -> ScalingReport {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = launcher + ["-np", String(ranks), Self.executablePath] + Self.forwarded(CommandLine.arguments)
            + ["--json", "--output-prefix", prefix]
        process.standardOutput = FileHandle.nullDevice  // the report comes back as the file
        try process.run()
        process.waitUntilExit()
        let command = launcher.joined(separator: " ") + " -np \(ranks)"
        guard process.terminationStatus == 0 else {
            throw SpindleCLIError("\(command) spindle scale … failed with exit status \(process.terminationStatus) (see its messages above)")
        }
        guard let data = FileManager.default.contents(atPath: prefix + ".json") else {
            throw SpindleCLIError("\(command) spindle scale … wrote no report at \(prefix).json")
        }
        return try ScalingReport.decode(json: data)
    }

    /// This command's arguments without those that only the launching process uses.
    static func forwarded(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for argument in arguments.dropFirst() {
            if skipNext { skipNext = false; continue }
            if ["--ranks", "--mpirun", "--output-prefix"].contains(argument) { skipNext = true; continue }
            if argument == "--json" || ["--ranks=", "--mpirun=", "--output-prefix="].contains(where: argument.hasPrefix) {
                continue
            }
            result.append(argument)
        }
        return result
    }

    /// This executable, by absolute path, for the launcher to start on every rank.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    static func checkOnPath(_ program: String) throws {
        if program.contains("/") {
            if FileManager.default.isExecutableFile(atPath: program) { return }
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
            if path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }) {
                return
            }
        }
        throw SpindleCLIError("--mpirun '\(program)': no such program on PATH; install Open MPI (apt-get install openmpi-bin, " +
                              "brew install open-mpi) or name the launcher with --mpirun")
    }
}

/// The ranks × workers table, columns right-aligned under their headers.
enum RankScaleTable {
    static func print(_ report: RankScalingReport) {
        let e = report.environment
        Swift.print("\(e.architecture), batch \(e.batchSize) (global, cut among the ranks), \(e.optimizer); median of " +
                    "\(e.repeats) × \(e.steps) steps per point; shards = workers")
        let header = ["ranks", "workers", "cores", "samples/s", "speedup", "efficiency", "allreduce ms/step"]
        let rows = report.points.map { p in
            [String(p.ranks), String(p.workers), String(p.cores), Int(p.samplesPerSecond.rounded()).grouped,
             p.speedup.fixed(2), p.efficiency.fixed(2), (1000 * p.allreduceSecondsPerStep).fixed(2)]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        for line in [header] + rows {
            Swift.print(line.indices.map { line[$0].leftPad(widths[$0]) }.joined(separator: "  "))
        }
    }
}
