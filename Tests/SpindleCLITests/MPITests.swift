import Foundation
import SpindleTestSupport
import Testing

/// `mpirun -np 2 spindle train`: data parallelism across processes (README, "Across hosts (MPI)").
/// Skipped, with the reason, where mpirun or the MPI build is missing.
@Suite(.enabled(if: MPI.available, MPI.skipReason), .serialized)
struct MPITests {
    /// 20 steps of a small network on the bundled data; the global batch is 64 rows.
    static let quick = ["train", MPI.data, "--layers", "48", "--batch-size", "64", "--epochs", "1", "--max-steps", "20",
                        "--dropout", "0.1", "--seed", "5", "--shards", "1", "--json", "--quiet"]

    static func summary(_ result: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try jsonObject(result.stdoutLines.last ?? "", sourceLocation: sourceLocation)
    }

    /// Relative L2 difference of two model files' weights, all /model datasets together.
    static func relativeDifference(_ a: String, _ b: String, in scratch: TemporaryDirectory) throws -> Double {
        let output = try python("""
            def weights(path):
                f = h5py.File(path, "r")
                names = sorted(n for n in f["model"].keys() if n[0].isdigit())  # "00_dense", …: zero-padded
                return np.concatenate([f["model"][n][p][()].ravel() for n in names for p in ("weight", "bias")])
            a, b = weights(sys.argv[1]).astype(np.float64), weights(sys.argv[2]).astype(np.float64)
            print(np.linalg.norm(a - b) / np.linalg.norm(b))
            """, a, b, in: scratch)
        return try #require(Double(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(output.transcript)")
    }

    @Test func twoRanksSameWeightsEveryRankAndEveryRun() throws {
        let scratch = try TemporaryDirectory()
        let first = try MPI.succeeds(ranks: 2, Self.quick + ["--checkpoint-dir", "a"], in: scratch)
        let second = try MPI.succeeds(ranks: 2, Self.quick + ["--checkpoint-dir", "b"], in: scratch)
        let digests = try #require(try Self.summary(first)["weight_digests"] as? [String], "\(first.transcript)")
        #expect(digests.count == 2 && digests[0] == digests[1], "each rank's weights: \(digests)")
        #expect(try Self.summary(second)["weight_digests"] as? [String] == digests, "second run: \(second.transcript)")
        #expect(try Self.summary(first)["ranks"] as? Int == 2)
        #expect(try Self.relativeDifference(scratch.path("a/model.h5"), scratch.path("b/model.h5"), in: scratch) == 0)
        // Rank 0 alone writes: one model file, one set of checkpoints; one JSON line.
        #expect(first.stdoutLines.count == 1, "\(first.transcript)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("a")).sorted() == ["ckpt-000000020.h5", "model.h5"])
    }

    @Test func twoRanksWithinRoundingOfOneProcess() throws {
        let scratch = try TemporaryDirectory()
        try MPI.succeeds(ranks: 2, Self.quick + ["--checkpoint-dir", "ranks"], in: scratch)
        let single = try spindle(Self.quick + ["--checkpoint-dir", "single"], in: scratch)
        #expect(single.status == 0, "\(single.transcript)")
        let difference = try Self.relativeDifference(scratch.path("ranks/model.h5"), scratch.path("single/model.h5"),
                                                     in: scratch)
        // The ranks add each batch's rows in two partial sums: rounding, not a different model.
        #expect(difference < 1e-5, "relative difference \(difference)")
    }

    /// batchnorm across ranks normalises over the global batch (SyncBatchNorm): every rank ends
    /// with the same weights, and they are the single process's to rounding, running statistics
    /// included. (batchnorm after the activations: a dense layer straight into batchnorm has a
    /// bias whose gradient is rounding noise, which Adam turns into steps: BatchNormRanksTests.)
    @Test func batchnormAcrossRanksMatchesOneProcess() throws {
        let scratch = try TemporaryDirectory()
        let options = ["train", MPI.data, "--model", "dense(48),relu,batchnorm,dense(24),tanh,batchnorm",
                       "--batch-size", "64", "--epochs", "1", "--max-steps", "20", "--seed", "5", "--shards", "1",
                       "--json", "--quiet"]
        let ranks = try MPI.succeeds(ranks: 2, options + ["--checkpoint-dir", "ranks"], in: scratch)
        let digests = try #require(try Self.summary(ranks)["weight_digests"] as? [String], "\(ranks.transcript)")
        #expect(digests.count == 2 && digests[0] == digests[1], "each rank's weights: \(digests)")
        let single = try spindle(options + ["--checkpoint-dir", "single"], in: scratch)
        #expect(single.status == 0, "\(single.transcript)")
        let output = try python("""
            def tensors(path):
                f, found = h5py.File(path, "r"), {}
                f["model"].visititems(lambda name, d: found.__setitem__(name, d[()]) if isinstance(d, h5py.Dataset) else None)
                return found
            a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
            assert sorted(a) == sorted(b) and any(n.endswith("running_var") for n in a), sorted(a)
            for name in sorted(a):
                x, y = a[name].astype(np.float64).ravel(), b[name].astype(np.float64).ravel()
                print(name, np.linalg.norm(x - y) / np.linalg.norm(y))
            """, scratch.path("ranks/model.h5"), scratch.path("single/model.h5"), in: scratch)
        let differences = output.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        // dense, batchnorm, dense, batchnorm, output dense: 2 + 4 + 2 + 4 + 2 tensors.
        #expect(differences.count == 14, "\(output.transcript)")
        for line in differences {
            // The ranks add each batch's rows in two partial sums; the statistics are summed in
            // Double over the ranks: rounding, not another model.
            #expect(line.count == 2 && (Double(line[1]) ?? 1) < 1e-5, "\(line.joined(separator: " ")) relative difference")
        }
    }

    /// A split over --memory-budget is streamed by every rank (each holds its windows, never the
    /// whole split), and the ranks still train the single process's model.
    @Test func ranksStreamTheSplitAsOneProcessDoes() throws {
        let scratch = try TemporaryDirectory()
        try spindleSucceeds(["synth", "--rows", "6000", "--features", "64", "--classes", "4", "--chunk-rows", "64",
                             "-o", "big.h5"], in: scratch)
        let streaming = ["train", "big.h5", "--layers", "16", "--batch-size", "60", "--epochs", "1", "--seed", "2",
                         "--shards", "1", "--memory-budget", "1M", "--prefetch", "1"]
        let ranks = try MPI.succeeds(ranks: 2, streaming + ["--checkpoint-dir", "ranks"], in: scratch)
        #expect(ranks.stderr.contains("streaming big.h5:/train"), "\(ranks.transcript)")
        try spindleSucceeds(streaming + ["--checkpoint-dir", "single", "--quiet"], in: scratch)
        let difference = try Self.relativeDifference(scratch.path("ranks/model.h5"), scratch.path("single/model.h5"),
                                                     in: scratch)
        #expect(difference < 1e-5, "relative difference \(difference)")
    }

    /// Stopped after 10 steps and resumed by both ranks to 20: the same bits as 20 in one go.
    @Test func resumeUnderMPI() throws {
        let scratch = try TemporaryDirectory()
        let straight = try MPI.succeeds(ranks: 2, Self.quick + ["--checkpoint-dir", "straight"], in: scratch)
        let partial = Self.quick.map { $0 == "20" ? "10" : $0 }
        try MPI.succeeds(ranks: 2, partial + ["--checkpoint-dir", "resumed"], in: scratch)
        let resumed = try MPI.succeeds(ranks: 2, Self.quick + ["--checkpoint-dir", "resumed", "--resume"], in: scratch)
        #expect(try Self.summary(resumed)["weight_digests"] as? [String] ==
                (try Self.summary(straight)["weight_digests"] as? [String]), "\(resumed.transcript)")
        #expect(try Self.relativeDifference(scratch.path("resumed/model.h5"), scratch.path("straight/model.h5"),
                                            in: scratch) == 0)
    }

    /// kill -9 of rank 1 mid-training: mpirun stops rank 0 and exits non-zero within 30 s, and
    /// the newest checkpoint rank 0 wrote still verifies.
    @Test func deadRankStopsTheOthers() throws {
        let scratch = try TemporaryDirectory()
        let launched = try MPI.start(ranks: 2, ["train", MPI.data, "--layers", "256", "--batch-size", "32", "--epochs", "100",
                                                "--checkpoint-dir", "run", "--checkpoint-every", "20", "--quiet"],
                                     in: scratch)
        let deadline = Date().addingTimeInterval(60)
        func checkpoints() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path("run"))) ?? [])
                .filter { $0.hasPrefix("ckpt-") && $0.hasSuffix(".h5") }
        }
        while checkpoints().count < 2 && Date() < deadline && launched.process.isRunning { usleep(50_000) }
        let victim = try #require(launched.pid(ofRank: 1), "rank 1's process")
        #expect(checkpoints().count >= 2, "checkpoints before the kill")
        kill(victim, SIGKILL)
        let killed = Date()
        let result = launched.wait(timeout: 30) ?? launched.stop()
        #expect(Date().timeIntervalSince(killed) < 30, "mpirun still running 30 s after rank 1 died")
        #expect(result.status != 0, "\(result.transcript)")
        let newest = try #require(checkpoints().max { a, b in
            Int(a.dropFirst(5).dropLast(3)) ?? 0 < Int(b.dropFirst(5).dropLast(3)) ?? 0
        })
        let inspected = try spindle(["inspect", "run/" + newest], in: scratch)
        #expect(inspected.status == 0, "\(newest): \(inspected.transcript)")
        // And the run continues from it, under mpirun again, for 5 more steps.
        let step = try #require(Int(newest.dropFirst(5).dropLast(3)))
        let resumed = try MPI.succeeds(ranks: 2, ["train", MPI.data, "--layers", "256", "--batch-size", "32",
                                                  "--epochs", "100", "--max-steps", String(step + 5),
                                                  "--checkpoint-dir", "run", "--resume", "--json"], in: scratch)
        #expect(resumed.stderr.contains("resuming from run/\(newest) at step \(step)"), "\(resumed.transcript)")
        #expect(try Self.summary(resumed)["steps"] as? Int == step + 5)
    }

    @Test func ranksWithOtherSettingsAreRefused() throws {
        let scratch = try TemporaryDirectory()
        let launched = try MPI.launch(
            MPI.mpirun!,
            ["--oversubscribe", "-np", "1", MPI.binary!, "train", MPI.data, "--seed", "1", "--max-steps", "2",
             ":", "-np", "1", MPI.binary!, "train", MPI.data, "--seed", "2", "--max-steps", "2"],
            in: scratch)
        let result = launched.wait(timeout: 60) ?? launched.stop()
        #expect(result.status != 0)
        #expect(result.stderr.contains("spindle: rank 1 started with other settings than rank 0"), "\(result.transcript)")
    }

    @Test func buildWithoutMPIRefusesToRunAsRanks() throws {
        let scratch = try TemporaryDirectory()
        let plain = try spindleExecutable().path
        let result = try MPI.run(ranks: 2, ["train", MPI.data, "--max-steps", "2"], binary: plain, in: scratch)
        #expect(result.status != 0)
        // Each rank says so (prefixed with its rank), unless mpirun stopped it first.
        #expect(result.stderr.contains("started as one of 2 MPI ranks, but this spindle was built without MPI; " +
                                       "build it with `swift build -c release --traits MPI`"), "\(result.transcript)")
        #expect(!scratch.exists("checkpoints"))
    }

    /// `spindle scale --ranks 1,2`: a row per ranks × workers, rank counts > 1 under mpirun.
    @Test func scaleOverRanks() throws {
        let scratch = try TemporaryDirectory()
        let launched = try MPI.launch(
            MPI.binary!,
            ["scale", "--ranks", "1,2", "--workers", "1", "--mpirun", MPI.mpirun! + " --oversubscribe"]
                + ScaleTests.quick,
            in: scratch)
        let result = launched.wait(timeout: 120) ?? launched.stop()
        #expect(result.status == 0, "\(result.transcript)")
        let lines = result.stdoutLines
        let header = try #require(lines.firstIndex { $0.hasPrefix("ranks") }, "\(result.transcript)")
        #expect(lines[header].contains("allreduce ms/step"))
        let rows = lines[(header + 1)...].prefix(2).map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map { Array($0.prefix(3)) } == [["1", "1", "1"], ["2", "1", "2"]], "\(result.stdout)")
        #expect(lines.last == "wrote scale.json and scale.svg")
        let report = try jsonObject(try String(contentsOfFile: scratch.path("scale.json"), encoding: .utf8))
        let points = try #require(report["points"] as? [[String: Any]])
        #expect(points.compactMap { $0["ranks"] as? Int } == [1, 2])
        #expect(points.allSatisfy { ($0["samples_per_second"] as? Double ?? 0) > 0 }, "\(points)")
        #expect((points.last?["allreduce_seconds_per_step"] as? Double ?? 0) > 0, "2 ranks exchange gradients")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["scale.json", "scale.svg"])
    }
}
