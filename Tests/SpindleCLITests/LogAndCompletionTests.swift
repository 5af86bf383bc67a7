import Foundation
import SpindleTestSupport
import Testing

/// `--log` writes JSON lines with the keys README.md documents; completion scripts generate.
@Suite struct LogAndCompletionTests {
    @Test func logLinesParseWithTheDocumentedKeys() throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))
        try spindleSucceeds(["train", "data.h5", "--layers", "8", "--epochs", "2", "--val-fraction", "0.2",
                             "--log", "run.jsonl", "--quiet"], in: scratch)
        let lines = try String(contentsOfFile: scratch.path("run.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "a start line and one line per epoch: \(lines)")
        let start = try jsonObject(lines[0])
        #expect(start["event"] as? String == "start")
        for key in ["config", "workers", "data", "spindle_version", "blas", "blas_core", "hdf5_version",
                    "resumed_at_step"] {
            #expect(start[key] != nil, "start line lacks \(key)")
        }
        for (number, line) in lines.dropFirst().enumerated() {
            let epoch = try jsonObject(line)
            #expect(epoch["event"] as? String == "epoch")
            #expect(epoch["epoch"] as? Int == number + 1)
            for key in ["steps", "trainLoss", "trainAccuracy", "validation", "learningRate", "seconds",
                        "samplesPerSecond", "timings"] {
                #expect(epoch[key] != nil, "epoch line lacks \(key)")
            }
            let validation = try #require(epoch["validation"] as? [String: Any])
            #expect(validation["loss"] is Double && validation["accuracy"] is Double)
            let timings = try #require(epoch["timings"] as? [String: Any])
            for key in ["wall", "forwardBackward", "gradients", "optimizer", "barrierWait", "dataStartup", "dataWait",
                        "loaderWork", "coordinator"] {
                #expect(timings[key] is Double, "timings lack \(key)")
            }
            #expect((timings["wall"] as? Double ?? 0) > 0)
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptGenerates(shell: String) throws {
        let scratch = try TemporaryDirectory()
        let result = try spindleSucceeds(["--generate-completion-script", shell], in: scratch)
        for command in ["train", "eval", "predict", "inspect", "import", "scale", "export", "plot"] {
            #expect(result.stdout.contains(command), "\(shell) completion lacks \(command)")
        }
        #expect(result.stdout.contains("checkpoint-dir"))
    }
}
