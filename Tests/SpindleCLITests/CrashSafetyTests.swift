import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// DESIGN.md contracts 2, 3 and 5 through the binary: a run stopped at any point (Ctrl-C,
/// SIGTERM, `kill -9`, a corrupted or unwritable checkpoint) resumes to the same bits as a run
/// that was never stopped, and nothing already saved is lost.
///
/// Serialized: the tests send signals after random delays, and two of them racing for the two
/// cores would only make those instants less spread over the run. The delays come from a seeded
/// generator; each test prints its seed and delays, names the seed in its failure messages, and
/// replays them with SPINDLE_CRASH_SEED=<seed> (`Delays`).
@Suite(.serialized) struct CrashSafetyTests {
    // MARK: - Configurations

    /// A small run: 230 rows in batches of 50 (5 steps an epoch, the last one partial), 30 steps,
    /// dropout and Adam, checkpoints every 7 steps and at every epoch end.
    static let small = ["data.h5", "--layers", "24,16", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01",
                        "--batch-size", "50", "--epochs", "6", "--seed", "11", "--shards", "2",
                        "--checkpoint-every", "7", "--keep", "3", "--quiet"]
    static let smallSteps = 30

    static func smallData(_ scratch: TemporaryDirectory) throws {
        try SyntheticData(trainRows: 230, testRows: 40, features: 12, classes: 4, seed: 5)
            .write(to: scratch.path("data.h5"))
    }

    /// A run long enough (about a second and a half on 2 cores, 790 steps) to be stopped in the
    /// middle at a random instant: the bundled dataset, dropout and Adam, checkpoints every 7 steps.
    static let long = [bundledData, "--layers", "128,64", "--dropout", "0.2", "--optimizer", "adam",
                       "--epochs", "10", "--seed", "7", "--shards", "2", "--checkpoint-every", "7", "--keep", "3"]

    // MARK: - (a) exact resume

    /// Stopped by --max-steps in the middle of an epoch, exactly at an epoch end, and between two
    /// periodic checkpoints, with 1 worker; resumed with 2 (same --shards) to the end.
    @Test(arguments: [(7, "--resume"), (10, "--resume"), (13, "--resume-from")])
    func exactResumeAfterStoppingAtStep(_ stop: Int, _ how: String) throws {
        let scratch = try TemporaryDirectory()
        try Self.smallData(scratch)
        let reference = try Self.reference(Self.small, in: scratch)

        try spindleSucceeds(["train"] + Self.small + ["--checkpoint-dir", "run", "--workers", "1",
                                                      "--max-steps", String(stop)], in: scratch)
        let checkpoint = "run/" + Self.checkpointName(step: stop)
        #expect(scratch.exists(checkpoint), "no checkpoint of step \(stop): \(Self.checkpoints(in: scratch, "run"))")
        let resumeFlags = how == "--resume" ? ["--resume"] : ["--resume-from", checkpoint]
        let resumed = try spindleSucceeds(["train"] + Self.small + ["--checkpoint-dir", "run", "--workers", "2"]
                                          + resumeFlags, in: scratch)
        #expect(resumed.stderr.contains("resuming from \(checkpoint) at step \(stop)"), "\(resumed.transcript)")
        try Self.expectSameBits(scratch.path("run/model.h5"), reference, "resumed at step \(stop)")
    }

    /// Ctrl-C at a random instant of a run with 1 worker: it finishes the step, writes a checkpoint,
    /// exits 130 and says how to resume; resuming with 2 workers gives the uninterrupted bits.
    /// (The reference run times the delays; on a machine that has just become less busy a run
    /// can end before its Ctrl-C is due: then it is tried again, in a fresh directory, with half
    /// the delay.)
    @Test func sigintAtARandomMomentThenResumeWithOtherWorkerCount() throws {
        let scratch = try TemporaryDirectory()
        var delays = Delays("sigint")
        let (reference, seconds) = try Self.timedReference(Self.long, in: scratch)
        var attempt = 0, fraction = 0.4, directory = "", finished = false, result: ProcessResult
        repeat {
            attempt += 1
            directory = "run\(attempt)"
            let run = try Self.background(["train"] + Self.long + ["--checkpoint-dir", directory, "--workers", "1"], in: scratch)
            try run.waitForFirstCheckpoint(in: scratch.path(directory))
            usleep(delays.next(fraction, of: seconds))
            finished = !run.process.isRunning
            run.signal(SIGINT)
            result = run.finish()
            fraction /= 2
        } while finished && attempt < 4
        let step = try #require(Self.interruptedStep(result),
                                "no 'interrupted at step' line (\(delays)):\n\(result.transcript)")
        #expect(result.status == 130, "\(delays)\n\(result.transcript)")
        #expect(scratch.exists("\(directory)/" + Self.checkpointName(step: step)), "\(delays)\n\(result.transcript)")
        #expect(result.stderr.contains("Resume with:"), "\(delays)\n\(result.transcript)")
        #expect(!scratch.exists("\(directory)/model.h5"), "an interrupted run must not write the final model (\(delays))")

        let resumed = try spindleSucceeds(["train"] + Self.long + ["--checkpoint-dir", directory, "--workers", "2", "--resume"],
                                          in: scratch)
        #expect(resumed.stderr.contains("at step \(step)"), "\(delays)\n\(resumed.transcript)")
        try Self.expectSameBits(scratch.path("\(directory)/model.h5"), reference, "SIGINT at step \(step), resumed (\(delays))")
    }

    // MARK: - (b) kill -9

    /// `kill -9` at random instants: every checkpoint left verifies, a hidden temporary file of
    /// a write that was cut short does not get in the way (and is cleaned up), and --resume
    /// reaches the uninterrupted bits.
    @Test func killMinus9AtRandomInstants() throws {
        let scratch = try TemporaryDirectory()
        var delays = Delays("kill -9")
        let (reference, seconds) = try Self.timedReference(Self.long, in: scratch)
        var leftovers = 0, finishedFirst = 0
        for trial in 1...3 {
            let directory = "kill\(trial)"
            let run = try Self.background(["train"] + Self.long + ["--checkpoint-dir", directory, "--quiet"], in: scratch)
            try run.waitForFirstCheckpoint(in: scratch.path(directory))
            usleep(delays.next(0.6, of: seconds))
            finishedFirst += run.process.isRunning ? 0 : 1
            run.signal(SIGKILL)
            let killed = run.finish()
            let names = Self.checkpoints(in: scratch, directory)
            let temporaries = Self.temporaries(in: scratch, directory)
            leftovers += temporaries.isEmpty ? 0 : 1
            #expect(!names.isEmpty, "trial \(trial) (\(delays)): no checkpoint survived\n\(killed.transcript)")
            for name in names {
                let inspect = try spindle(["inspect", "\(directory)/\(name)"], in: scratch)
                #expect(inspect.status == 0,
                        "trial \(trial) (\(delays)): \(name) does not verify after kill -9:\n\(inspect.transcript)")
            }

            let resumed = try spindleSucceeds(["train"] + Self.long + ["--checkpoint-dir", directory, "--resume"],
                                              in: scratch)
            #expect(!resumed.stderr.contains("skipping"),
                    "trial \(trial) (\(delays)): a checkpoint was skipped:\n\(resumed.stderr)")
            #expect(Self.temporaries(in: scratch, directory).isEmpty,
                    "trial \(trial) (\(delays)): temporary files of the killed run are still there: \(temporaries)")
            try Self.expectSameBits(scratch.path("\(directory)/model.h5"), reference,
                                    "trial \(trial) (\(delays)): killed (checkpoints \(names), temporaries \(temporaries)), resumed")
        }
        // Not an expectation: whether a kill landed inside a write is chance.
        print("CrashSafetyTests: \(leftovers) of 3 kills left a temporary checkpoint file behind; " +
              "\(finishedFirst) run(s) finished before the kill")
        #expect(finishedFirst < 3, "every run finished before it was killed (\(delays)): the run is too short to test anything")
    }

    // MARK: - (c) corruption

    enum Damage: String, CaseIterable, Sendable { case truncated, flippedWeightBytes }

    /// The newest checkpoint damaged: `inspect` says what is wrong, and --resume names it, says it
    /// skipped it, falls back to the one before and still reaches the uninterrupted bits.
    @Test(arguments: Damage.allCases)
    func damagedNewestCheckpointFallsBackToThePreviousOne(_ damage: Damage) throws {
        let scratch = try TemporaryDirectory()
        try Self.smallData(scratch)
        let reference = try Self.reference(Self.small, in: scratch)
        // Checkpoints at 5, 7, 10, 14 (--keep 3 leaves 7, 10, 14).
        try spindleSucceeds(["train"] + Self.small + ["--checkpoint-dir", "run", "--max-steps", "14"], in: scratch)
        let newest = "run/" + Self.checkpointName(step: 14), previous = "run/" + Self.checkpointName(step: 10)
        #expect(Self.checkpoints(in: scratch, "run") == ["ckpt-000000007.h5", "ckpt-000000010.h5", "ckpt-000000014.h5"])

        let expected: String
        switch damage {
        case .truncated:
            let size = try #require(try FileManager.default.attributesOfItem(atPath: scratch.path(newest))[.size] as? Int)
            #expect(truncate(scratch.path(newest), off_t(size / 2)) == 0)
            expected = "truncated"
        case .flippedWeightBytes:
            try BadInputTests.corruptWeights(scratch.path(newest))
            expected = "/model/00_dense/weight"
        }
        let inspect = try spindle(["inspect", newest], in: scratch)
        #expect(inspect.status == 1, "\(inspect.transcript)")
        #expect(inspect.stderr.contains(newest) && inspect.stderr.contains(expected), "\(inspect.transcript)")
        if damage == .flippedWeightBytes {
            #expect(inspect.stderr.contains("Fletcher32"), "the checksum should be named: \(inspect.stderr)")
        }

        let resumed = try spindleSucceeds(["train"] + Self.small + ["--checkpoint-dir", "run", "--resume"], in: scratch)
        let skipped = resumed.stderrLines.first { $0.hasPrefix("spindle: skipping \(newest): ") }
        #expect(skipped?.contains(expected) == true, "no line saying why \(newest) was skipped:\n\(resumed.stderr)")
        #expect(resumed.stderr.contains("falling back to \(previous)"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming from \(previous) at step 10"), "\(resumed.stderr)")
        try Self.expectSameBits(scratch.path("run/model.h5"), reference, "resumed from step 10 past a \(damage) checkpoint")
        // The damaged file was replaced by a good checkpoint of the same step, or pruned.
        for name in Self.checkpoints(in: scratch, "run") {
            #expect(try spindle(["inspect", "run/" + name], in: scratch).status == 0, "\(name) does not verify")
        }
    }

    // MARK: - (d) full or read-only disk

    /// A file size limit (`ulimit -f`, EFBIG) below a checkpoint's size: the run stops with status 1
    /// and one line naming the checkpoint and saying it is too large; no temporary file is left and
    /// the earlier checkpoints are byte for byte what they were.
    @Test func fileSizeLimitStopsTheRunCleanly() throws {
        let scratch = try TemporaryDirectory()
        try Self.smallData(scratch)
        try spindleSucceeds(["train"] + Self.small + ["--checkpoint-dir", "run", "--max-steps", "12"], in: scratch)
        let before = Self.directoryContents(scratch, "run")
        #expect(before.keys.contains("ckpt-000000012.h5"))

        // 16 blocks of 512 bytes (dash's unit; bash counts 1024): far below the ~60 KB a checkpoint takes.
        let binary = try spindleExecutable().path
        let command = (["ulimit -f 16; exec", binary, "train"] + Self.small + ["--checkpoint-dir", "run", "--resume"])
            .joined(separator: " ")
        let result = try Self.run("/bin/sh", ["-c", command], in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        // The whole of stderr: the resume line, then one line naming the file and the limit (the
        // size it needs depends on the attributes' lengths, so only that number is a pattern).
        Self.expectLines(result, [.exactly("spindle: resuming from run/ckpt-000000012.h5 at step 12 (epoch 3, batch 2)"),
                                  .matching(#/spindle: cannot write 'run\/ckpt-000000014.h5': File too large: the file size limit \(ulimit -f\) is below the \d+ bytes it needs/#)])
        #expect(Self.directoryContents(scratch, "run") == before,
                "the checkpoint directory changed: \(Self.directoryContents(scratch, "run").keys.sorted())")
    }

    /// Whether this process may mount a tmpfs (it needs root, and a sandbox that allows it):
    /// tried once on a throwaway directory.
    static let canMountTmpfs: Bool = {
        guard let probe = try? TemporaryDirectory(prefix: "tmpfs-probe"),
              let mounted = try? runProcess(URL(fileURLWithPath: "/bin/mount"),
                                            ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.url.path]),
              mounted.status == 0 else { return false }
        _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [probe.url.path])
        return true
    }()

    /// A full disk (ENOSPC, a tmpfs with room for one checkpoint and a half) and a read-only one:
    /// the message says so, nothing is left behind, nothing is changed. Skipped, and shown as
    /// skipped, where a tmpfs cannot be mounted (fileSizeLimitStopsTheRunCleanly still runs there).
    @Test(.enabled(if: canMountTmpfs, "needs to mount a tmpfs (root, in a sandbox that allows it)"))
    func fullAndReadOnlyDisk() throws {
        let scratch = try TemporaryDirectory()
        try Self.smallData(scratch)
        try spindleSucceeds(["train"] + Self.small + ["--checkpoint-dir", "seed", "--max-steps", "12"], in: scratch)
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: scratch.path("seed/ckpt-000000012.h5")))
        try FileManager.default.createDirectory(atPath: scratch.path("disk"), withIntermediateDirectories: false)
        let mount = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(checkpoint.count * 3 / 2)", "tmpfs", "disk"],
                                 in: scratch)
        try #require(mount.status == 0, "mounting a tmpfs worked for the probe, not here:\n\(mount.transcript)")
        defer { _ = try? Self.run("/bin/umount", ["disk"], in: scratch) }
        try checkpoint.write(to: URL(fileURLWithPath: scratch.path("disk/ckpt-000000012.h5")))

        // Room for one checkpoint and a half: the next one does not fit.
        let full = try spindle(["train"] + Self.small + ["--checkpoint-dir", "disk", "--resume"], in: scratch)
        #expect(full.status == 1, "\(full.transcript)")
        let resuming = "spindle: resuming from disk/ckpt-000000012.h5 at step 12 (epoch 3, batch 2)"
        Self.expectLines(full, [.exactly(resuming), .matching(
            #/spindle: cannot write 'disk\/ckpt-000000014.h5': No space left on device: no room for the \d+ bytes it needs/#)])
        #expect(Self.directoryContents(scratch, "disk") == ["ckpt-000000012.h5": checkpoint])

        #expect(try Self.run("/bin/mount", ["-o", "remount,ro", "disk"], in: scratch).status == 0)
        let readOnly = try spindle(["train"] + Self.small + ["--checkpoint-dir", "disk", "--resume"], in: scratch)
        #expect(readOnly.status == 1, "\(readOnly.transcript)")
        // The directory is checked before the checkpoint is read, so nothing is said about resuming.
        Self.expectLines(readOnly, [.exactly(
            "spindle: cannot write 'disk': the checkpoint directory is not writable (Read-only file system)")])
        #expect(Self.directoryContents(scratch, "disk") == ["ckpt-000000012.h5": checkpoint])
    }

    // MARK: - (e) SIGTERM

    /// SIGTERM at a random instant: exit 143 and the command that resumes; running that command
    /// (with this build's binary for `spindle`) reaches the uninterrupted bits.
    @Test func sigtermPrintsTheCommandThatResumes() throws {
        let scratch = try TemporaryDirectory()
        var delays = Delays("sigterm")
        let (reference, seconds) = try Self.timedReference(Self.long, in: scratch)
        let run = try Self.background(["train"] + Self.long + ["--checkpoint-dir", "run"], in: scratch)
        try run.waitForFirstCheckpoint(in: scratch.path("run"))
        usleep(delays.next(0.4, of: seconds))
        run.signal(SIGTERM)
        let result = run.finish()
        #expect(result.status == 143, "\(delays)\n\(result.transcript)")
        let step = try #require(Self.interruptedStep(result), "\(delays)\n\(result.transcript)")
        let lines = result.stderrLines
        let index = try #require(lines.firstIndex { $0.hasSuffix("Resume with:") }, "\(result.transcript)")
        let command = lines[index + 1].trimmingCharacters(in: .whitespaces)
        #expect(command == (["spindle", "train"] + Self.long + ["--checkpoint-dir", "run", "--resume"]).joined(separator: " "))
        let words = command.split(separator: " ").map(String.init)
        #expect(words.first == "spindle")

        let resumed = try spindleSucceeds(Array(words.dropFirst()), in: scratch)
        #expect(resumed.stderr.contains("at step \(step)"), "\(delays)\n\(resumed.transcript)")
        try Self.expectSameBits(scratch.path("run/model.h5"), reference, "SIGTERM at step \(step), resumed (\(delays))")
    }

    // MARK: - Helpers

    /// Runs `options` uninterrupted into the directory "reference" and returns its model's bits.
    static func reference(_ options: [String], in scratch: TemporaryDirectory,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: [UInt32]] {
        try timedReference(options, in: scratch, sourceLocation: sourceLocation).bits
    }

    /// The reference's bits and how long it ran, in seconds.
    static func timedReference(_ options: [String], in scratch: TemporaryDirectory,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> (bits: [String: [UInt32]], seconds: Double) {
        let start = Date()
        try spindleSucceeds(["train"] + options + ["--checkpoint-dir", "reference", "--quiet"], in: scratch,
                            sourceLocation: sourceLocation)
        let seconds = Date().timeIntervalSince(start)
        let bits = try floatDatasets(in: scratch.path("reference/model.h5"))
        #expect(bits.count == 8, "weights and biases of 3 layers and Adam's two moments: \(bits.keys.sorted())",
                sourceLocation: sourceLocation)
        return (bits, seconds)
    }

    static func expectSameBits(_ path: String, _ reference: [String: [UInt32]], _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bits = try floatDatasets(in: path)
        #expect(bits.keys.sorted() == reference.keys.sorted(), "\(what)", sourceLocation: sourceLocation)
        for (name, expected) in reference.sorted(by: { $0.key < $1.key }) {
            let got = bits[name] ?? []
            let differing = zip(got, expected).filter { $0 != $1 }.count
            #expect(got == expected, "\(what): \(name): \(differing) of \(expected.count) values differ from the uninterrupted run",
                    sourceLocation: sourceLocation)
        }
    }

    /// One expected line of output: the line itself, or a pattern it must match whole.
    enum Line {
        case exactly(String)
        case matching(Regex<Substring>)
    }

    /// Expects stderr to be exactly `lines`, in order, each equal to or wholly matching its entry.
    static func expectLines(_ result: ProcessResult, _ lines: [Line], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = result.stderrLines
        let fits = got.count == lines.count && zip(got, lines).allSatisfy { line, expected in
            switch expected {
            case .exactly(let text): return line == text
            case .matching(let pattern): return line.wholeMatch(of: pattern) != nil
            }
        }
        #expect(fits, "stderr is not the expected \(lines.count) line(s):\n\(result.transcript)", sourceLocation: sourceLocation)
    }

    static func checkpointName(step: Int) -> String {
        "ckpt-" + String(format: "%09d", step) + ".h5"
    }

    /// The ckpt-*.h5 files of a directory, sorted.
    static func checkpoints(in scratch: TemporaryDirectory, _ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path(directory))) ?? [])
            .filter { $0.hasPrefix("ckpt-") && $0.hasSuffix(".h5") }.sorted()
    }

    /// Hidden temporary files of a directory (what an atomic write leaves when it is killed).
    static func temporaries(in scratch: TemporaryDirectory, _ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path(directory))) ?? [])
            .filter { $0.hasPrefix(".") && $0.contains(".tmp") }.sorted()
    }

    /// Every file of a directory (hidden ones too) with its bytes.
    static func directoryContents(_ scratch: TemporaryDirectory, _ directory: String) -> [String: Data] {
        var result: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch.path(directory))) ?? [] {
            result[name] = FileManager.default.contents(atPath: scratch.path("\(directory)/\(name)")) ?? Data()
        }
        return result
    }

    /// The step of "spindle: interrupted at step N; …".
    static func interruptedStep(_ result: ProcessResult) -> Int? {
        guard let line = result.stderrLines.first(where: { $0.hasPrefix("spindle: interrupted at step ") }) else { return nil }
        return Int(line.dropFirst("spindle: interrupted at step ".count).prefix { $0.isNumber })
    }

    /// Runs any program to completion in `scratch`.
    static func run(_ program: String, _ arguments: [String], in scratch: TemporaryDirectory,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        try runProcess(URL(fileURLWithPath: program), arguments, in: scratch.url, sourceLocation: sourceLocation)
    }

    /// `spindle arguments…` started in the background, to be signalled at a chosen instant.
    static func background(_ arguments: [String], in scratch: TemporaryDirectory) throws -> RunningProcess {
        try RunningProcess(try spindleExecutable(), arguments, in: scratch.url)
    }
}

extension RunningProcess {
    /// Waits until a ckpt-*.h5 appears in `directory`: the run is then past its start (data
    /// loaded, signal handlers installed) and training.
    func waitForFirstCheckpoint(in directory: String, timeout: Double = 60,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            if names.contains(where: { $0.hasPrefix("ckpt-") && $0.hasSuffix(".h5") }) { return }
            usleep(2_000)
        }
        Issue.record("no checkpoint appeared in \(directory) while the run went on (\(Date().timeIntervalSince(started)) s)",
                     sourceLocation: sourceLocation)
        throw CocoaError(.fileNoSuchFile)
    }
}
