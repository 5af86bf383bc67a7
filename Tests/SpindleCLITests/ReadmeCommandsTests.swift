import Foundation
import SpindleTestSupport
import Testing

/// README.md cannot rot: every `spindle …` line of its plain ``` code blocks is run, in the
/// order the README gives them, and must exit 0.
///
/// Commands are taken as docs/tutorial.md's are (`documentedCommands`: trailing `# comments`
/// dropped, `\` continuations joined) and made small with the same rewrite (`shrinkCommand`),
/// plus:
/// - `import fashion-mnist` gets `--train-rows 2000 --test-rows 500`, so fmnist.h5 is small;
/// - `scale` gets `--steps 2 --repeats 1`;
/// - `synth` makes at most 20,000 rows (the README's make gigabytes).
///
/// Where it runs: a fresh scratch directory holding `data` (a link to the repository's data/,
/// for `spindle scale` without a file) and the small input files the import lines name:
/// IDX gzip files cut from Debian's Fashion-MNIST, `train.csv`/`test.csv` with a `label` column,
/// `houses.csv` with a float last column, `x.npy`/`y.npy`, and the `model.json` of `--model @model.json`.
@Suite struct ReadmeCommandsTests {
    static let readme = repositoryRoot.appendingPathComponent("README.md")

    /// README lines that are not run, with why (none at present: keep the README runnable).
    static let skipped: [String: String] = [:]

    static func commands(in markdown: String) -> [[String]] {
        documentedCommands(in: markdown, fences: [""])
            .filter { skipped[$0.joined(separator: " ")] == nil }
    }

    /// The README's small-size rewrite described above.
    static func shrink(_ arguments: [String]) -> [String] {
        var result = shrinkCommand(arguments)
        if result.starts(with: ["import", "fashion-mnist"]) {
            if !result.contains("--train-rows") { result += ["--train-rows", "2000"] }
            if !result.contains("--test-rows") { result += ["--test-rows", "500"] }
        }
        if result.first == "synth", let index = result.firstIndex(of: "--rows"), index + 1 < result.count,
           let rows = Int(result[index + 1]), rows > 20000 {
            result[index + 1] = "20000"
        }
        if result.first == "scale" {
            if !result.contains("--steps") { result += ["--steps", "2"] }
            if let index = result.firstIndex(of: "--repeats"), index + 1 < result.count {
                result[index + 1] = "1"
            } else {
                result += ["--repeats", "1"]
            }
        }
        return result
    }

    @Test func rewritesToSmallSizes() {
        #expect(Self.shrink(["import", "fashion-mnist", "-o", "f.h5"]) ==
                ["import", "fashion-mnist", "-o", "f.h5", "--train-rows", "2000", "--test-rows", "500"])
        #expect(Self.shrink(["scale", "--steps", "40", "--repeats", "3"]) == ["scale", "--steps", "2", "--repeats", "1"])
        #expect(Self.shrink(["scale"]) == ["scale", "--steps", "2", "--repeats", "1"])
        let sample = "```\nspindle train a.h5 \\\n    --epochs 3   # comment\nls\n```\n```swift\nspindle no\n```\n" +
            "```sh\nspindle no\n```\n```\nspindle inspect b.h5\n```\n"
        #expect(Self.commands(in: sample) == [["train", "a.h5", "--epochs", "3"], ["inspect", "b.h5"]])
    }

    /// Writes the input files the README's import lines name into `scratch`.
    static func writeInputs(in scratch: TemporaryDirectory) throws {
        try python("""
            import gzip, struct, os
            src = '/usr/share/datasets/fashion-mnist'
            def cut(name, out, n):
                data = gzip.open(os.path.join(src, name)).read()
                ndim = data[3]
                dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
                item = int(np.prod(dims[1:])) if ndim > 1 else 1
                header = data[:4] + struct.pack('>I', n) + data[8:4 + 4 * ndim]
                start = 4 + 4 * ndim
                with gzip.open(out, 'wb') as f:
                    f.write(header + data[start:start + n * item])
            cut('train-images-idx3-ubyte.gz', 'train-images.gz', 300)
            cut('train-labels-idx1-ubyte.gz', 'train-labels.gz', 300)
            cut('t10k-images-idx3-ubyte.gz', 'test-images.gz', 100)
            cut('t10k-labels-idx1-ubyte.gz', 'test-labels.gz', 100)
            rng = np.random.default_rng(0)
            def table(path, rows):
                with open(path, 'w') as f:
                    f.write('a,b,c,label\\n')
                    for i in range(rows):
                        label = i % 3
                        f.write('%.3f,%.3f,%.3f,%d\\n' % (label + rng.random(), rng.random(), -label + rng.random(), label))
            table('train.csv', 90)
            table('test.csv', 30)
            with open('houses.csv', 'w') as f:
                f.write('rooms,area,price\\n')
                for i in range(80):
                    rooms, area = 1 + i % 5, 40 + rng.random() * 100
                    f.write('%d,%.2f,%.4f\\n' % (rooms, area, 0.5 * rooms + 0.01 * area))
            np.save('x.npy', rng.random((100, 8), dtype=np.float32))
            np.save('y.npy', (np.arange(100) % 4).astype(np.int64))
            with open('model.json', 'w') as f:
                f.write('[{"dense": 512}, "relu", {"dropout": 0.2}]')
            """, in: scratch)
    }

    @Test func everyReadmeCommandRuns() throws {
        let markdown = try String(contentsOf: Self.readme, encoding: .utf8)
        let commands = Self.commands(in: markdown)
        #expect(commands.count >= 15, "found only \(commands.count) spindle commands in README.md")
        let scratch = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: scratch.path("data"),
                                                   withDestinationPath: repositoryRoot.appendingPathComponent("data").path)
        try Self.writeInputs(in: scratch)
        for command in commands {
            try spindleSucceeds(Self.shrink(command), in: scratch)
        }
    }
}
