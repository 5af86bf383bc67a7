import Foundation
import SpindleTestSupport
import Testing

// Progress of `spindle train` on stderr: plain lines (never "\r") when stderr is not a terminal,
// one line redrawn in place when it is (checked under util-linux `script`, which provides a
// pseudo-terminal). SPINDLE_PROGRESS_INTERVAL=0 shows every step, so a short run shows some.

private var progressLine: Regex<Substring> { #/^epoch \d+/\d+  step +\d+/\d+  loss \d+\.\d{4}  acc \d\.\d{4}  [\d,]+ samples/s  ETA \d+:\d\d$/# }
private var summaryLine: Regex<Substring> { #/^epoch \d+/\d+  loss \d+\.\d{4}  acc \d\.\d{4}  val_loss \d+\.\d{4}  val_acc \d\.\d{4}  [\d,]+ samples/s  \d+\.\d s$/# }

/// Runs `/usr/bin/env arguments…` in `scratch`.
private func run(_ arguments: [String], in scratch: TemporaryDirectory,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments, in: scratch.url, sourceLocation: sourceLocation)
}

private func dataset(in scratch: TemporaryDirectory) throws -> String {
    try SyntheticData(trainRows: 160).write(to: scratch.path("d.h5"))
    return "d.h5"
}

private let shortRun = ["--layers", "16", "--epochs", "2", "--batch-size", "8", "--val-fraction", "0.2"]

/// The shell-quoted form of a word, for `script -c`.
private func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

@Suite struct ProgressTests {
    @Test func nonTerminalOutputHasOnlyThePerEpochLinesByDefault() throws {
        let scratch = try TemporaryDirectory()
        let result = try spindleSucceeds(["train", try dataset(in: scratch)] + shortRun, in: scratch)
        #expect(!result.stderr.contains("\r"))
        let epochs = result.stderrLines.filter { $0.hasPrefix("epoch") }
        #expect(epochs.count == 2, "\(result.transcript)")
        for line in epochs { #expect(line.wholeMatch(of: summaryLine) != nil, "unexpected line: \(line)") }
    }

    @Test func nonTerminalProgressLinesArePlainAndDocumented() throws {
        let scratch = try TemporaryDirectory()
        let result = try run(["SPINDLE_PROGRESS_INTERVAL=0", try spindleExecutable().path, "train",
                              try dataset(in: scratch)] + shortRun, in: scratch)
        #expect(result.status == 0, "\(result.transcript)")
        #expect(!result.stderr.contains("\r"))
        #expect(!result.stderr.contains("\u{1B}"))
        let epochs = result.stderrLines.filter { $0.hasPrefix("epoch") }
        let progress = epochs.filter { $0.contains("  step ") }
        // 128 training rows in batches of 8: 16 steps an epoch, the last of which is the summary.
        #expect(progress.count == 30, "\(result.transcript)")
        #expect(progress.first?.hasPrefix("epoch 1/2  step  1/16  loss ") == true, "\(result.transcript)")
        for line in progress { #expect(line.wholeMatch(of: progressLine) != nil, "unexpected line: \(line)") }
        #expect(epochs.filter { $0.wholeMatch(of: summaryLine) != nil }.count == 2, "\(result.transcript)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func terminalGetsOneLineUpdatedInPlace() throws {
        let scratch = try TemporaryDirectory()
        let command = (["env", "SPINDLE_PROGRESS_INTERVAL=0", try spindleExecutable().path, "train",
                        try dataset(in: scratch)] + shortRun).map(quoted).joined(separator: " ")
        let result = try run(["script", "-qfec", command, "/dev/null"], in: scratch)
        #expect(result.status == 0, "\(result.transcript)")
        let screen = result.stdout
        #expect(screen.contains("\repoch 1/2  step  1/16  loss "), "\(result.transcript)")
        #expect(screen.contains("\u{1B}[K"), "\(result.transcript)")
        // Each epoch's summary replaces the redrawn line: it starts where the cleared line was.
        let summaries = screen.components(separatedBy: "\r\u{1B}[K").dropFirst()
            .filter { $0.hasPrefix("epoch") && !$0.hasPrefix("epoch 1/2  step") && !$0.hasPrefix("epoch 2/2  step") }
        #expect(summaries.count == 2, "\(result.transcript)")
        for summary in summaries {
            let line = String(summary.prefix { !$0.isNewline })
            #expect(line.wholeMatch(of: summaryLine) != nil, "unexpected line: \(line)")
        }
        // No progress line is left behind: the last text before the end is not a progress line.
        #expect(!screen.contains("  step 16/16"), "\(result.transcript)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func quietTerminalShowsNoProgress() throws {
        let scratch = try TemporaryDirectory()
        let command = (["env", "SPINDLE_PROGRESS_INTERVAL=0", try spindleExecutable().path, "train",
                        try dataset(in: scratch), "--quiet"] + shortRun).map(quoted).joined(separator: " ")
        let result = try run(["script", "-qfec", command, "/dev/null"], in: scratch)
        #expect(result.status == 0, "\(result.transcript)")
        #expect(!result.stdout.contains("epoch"), "\(result.transcript)")
        #expect(!result.stdout.contains("\u{1B}[K"), "\(result.transcript)")
    }
}
