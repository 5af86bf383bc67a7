import Foundation
import SpindleTestSupport
import Testing

/// docs/tutorial.md cannot rot: every `spindle …` command in its ```sh and ```console code blocks
/// is run, in the order the tutorial gives them, and must exit 0.
///
/// How a command is taken from the tutorial:
/// - only lines of ```sh / ```console blocks count; a leading `$ ` prompt is dropped, a line ending
///   in `\` continues on the next, and a `#` comment to the end of the line is dropped;
/// - a command is a line whose first word is `spindle`; others (`export`, `swift build`) are skipped;
/// - words are split as a shell splits them for the quoting the tutorial uses (`shellWords`);
///
/// How it is made small, so the whole tutorial runs in seconds:
/// - `train` (and `scale`): `--epochs N` becomes `--epochs 1`, and `--max-steps 20` is added
///   unless the command has `--max-steps` or writes a `--log` (`spindle plot` needs one whole
///   epoch in the log: one epoch of the sample is about a second); `--steps N` (scale) becomes
///   `--steps 2`;
/// - nothing else changes, so the layer widths, options and file names are the tutorial's own.
///
/// Where it runs: a fresh scratch directory holding `data`, a link to the repository's data/
/// (so `data/fashion-mnist-small.h5` means the bundled sample, as from the repository's root),
/// and an empty `docs/figures/` for the plots; one command's files are there for the next.
@Suite struct TutorialTests {
    static let tutorial = repositoryRoot.appendingPathComponent("docs/tutorial.md")

    /// The `spindle` commands of the tutorial's shell blocks, as argument lists without `spindle`.
    static func commands(in markdown: String) -> [[String]] {
        documentedCommands(in: markdown, fences: ["sh", "console"])
    }

    /// The small-size rewrite described above (shared with ReadmeCommandsTests).
    static func shrink(_ arguments: [String]) -> [String] { shrinkCommand(arguments) }

    @Test func rewritesToSmallSizes() {
        #expect(Self.shrink(["train", "data/x.h5", "--epochs", "30", "--layers", "1024,1024"]) ==
                ["train", "data/x.h5", "--epochs", "1", "--layers", "1024,1024", "--max-steps", "20"])
        #expect(Self.shrink(["train", "--max-steps", "5"]) == ["train", "--max-steps", "5"])
        #expect(Self.shrink(["train", "--epochs", "30", "--log", "r.jsonl"]) == ["train", "--epochs", "1", "--log", "r.jsonl"])
        #expect(Self.shrink(["plot", "run.jsonl", "--epochs", "3"]) == ["plot", "run.jsonl", "--epochs", "3"])
        let sample = "text\n```sh\n$ spindle train a.h5 \\\n    --epochs 3   # comment\nls\n```\n```\nspindle no\n```\n"
        #expect(Self.commands(in: sample) == [["train", "a.h5", "--epochs", "3"]])
    }

    @Test func everyTutorialCommandRuns() throws {
        let markdown = try String(contentsOf: Self.tutorial, encoding: .utf8)
        let commands = Self.commands(in: markdown)
        #expect(commands.count >= 10, "found only \(commands.count) spindle commands in docs/tutorial.md")
        let scratch = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: scratch.path("data"),
                                                   withDestinationPath: repositoryRoot.appendingPathComponent("data").path)
        try FileManager.default.createDirectory(atPath: scratch.path("docs/figures"), withIntermediateDirectories: true)
        for command in commands {
            try spindleSucceeds(Self.shrink(command), in: scratch)
        }
    }
}
