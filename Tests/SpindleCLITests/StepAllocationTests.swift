#if os(Linux)
import Foundation
import SpindleTestSupport
import Testing

/// "A step allocates nothing" (DESIGN.md), through the binary: valgrind counts the heap
/// allocations of a whole training run of 10 steps and of 70, and the 60 steps more may add no
/// more than the trainer's loop makes between steps.
///
/// Why valgrind: it counts every malloc of every thread, including the ones Swift's runtime makes
/// for closure contexts and arrays, without instrumenting the library. Linux only (valgrind's
/// home), and skipped where valgrind or strip is missing (`.ci/setup --test` installs valgrind).
@Suite struct StepAllocationTests {
    static let valgrind = executable("valgrind"), strip = executable("strip")

    /// A program on PATH, or nil.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/" + name }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/fashion-mnist-small.h5").path

    @Test(.enabled(if: valgrind != nil && strip != nil, "needs valgrind and strip (apt-get install valgrind binutils)"))
    func stepsAllocateNothing() throws {
        let scratch = try TemporaryDirectory()
        // valgrind 3.19 gives up on the debug info Swift 6 writes ("possibly corrupted
        // debuginfo"): it runs a copy without it.
        let binary = scratch.path("spindle")
        let stripped = try runProcess(URL(fileURLWithPath: Self.strip!),
                                      ["--strip-debug", "-o", binary, try spindleExecutable().path])
        try #require(stripped.status == 0, "strip failed:\n\(stripped.transcript)")
        // Without SPINDLE_RELAUNCHED the binary re-executes itself to set OpenBLAS's variables,
        // which valgrind refuses; OPENBLAS_CORETYPE keeps OpenBLAS off AVX-512 kernels, which
        // valgrind cannot run.
        let environment = ProcessInfo.processInfo.environment.merging(
            ["SPINDLE_RELAUNCHED": "1", "OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell"]) { $1 }
        // Four batch normalisations cut phase A into 17 pool phases (segments and statistics
        // reductions), and clipping cuts phase B in two: an allocation per phase shows as 19 a
        // step. Two workers, so that the phases really go through the pool's threads.
        let runs = try [10, 70].map { steps in
            try RunningProcess(URL(fileURLWithPath: Self.valgrind!),
                               ["--tool=memcheck", "--leak-check=no", binary, "train", Self.data,
                                "--model", "dense(32),repeat(4,residual(batchnorm,dense(32),relu))",
                                "--clip-norm", "1", "--epochs", "1", "--max-steps", String(steps),
                                "--batch-size", "32", "--workers", "2", "--quiet",
                                "--checkpoint-dir", "run\(steps)"],
                               in: scratch.url, environment: environment)
        }
        let allocations = try runs.map { run in
            let result = run.finish(timeout: 300)
            try #require(result.status == 0, "\(run.command) failed:\n\(result.transcript)")
            return try #require(Self.allocations(in: result.stderr), "no heap summary in:\n\(result.stderr)")
        }
        // The trainer's loop, outside the step, makes each step's `Batch` (its array of parts,
        // `InMemoryData.batch`): 1 allocation a step. The last checkpoint adds a few that vary
        // from run to run: a Double's JSON text takes a heap allocation when it is longer than
        // 15 characters, and the state holds timings (8 more were measured on a loaded machine).
        // The margin stays below the 60 that one more allocation a step would add.
        let perStepOutsideTheStep = 1, checkpointJitter = 30
        #expect(allocations[1] - allocations[0] <= 60 * perStepOutsideTheStep + checkpointJitter,
                "10 steps allocated \(allocations[0]) times, 70 steps \(allocations[1])")
    }

    /// N in valgrind's "total heap usage: N allocs, …".
    static func allocations(in report: String) -> Int? {
        guard let line = report.split(separator: "\n").first(where: { $0.contains("total heap usage:") }),
              let field = line.split(separator: ":").last?.split(separator: " ").first else { return nil }
        return Int(field.replacingOccurrences(of: ",", with: ""))
    }
}
#endif
