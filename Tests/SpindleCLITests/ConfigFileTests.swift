import Foundation
import SpindleTestSupport
import Testing

// `spindle train --config FILE`: train's options from a JSON file, overridden by the command line.

/// Writes `text` to `name` in `scratch`.
private func write(_ text: String, to name: String, in scratch: TemporaryDirectory) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: scratch.path(name)))
}

/// Trains with `arguments` (after `train d.h5 --quiet --log log.jsonl`) and returns the log's
/// start line config.
private func startConfig(_ arguments: [String], in scratch: TemporaryDirectory,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    try SyntheticData().write(to: scratch.path("d.h5"))
    try spindleSucceeds(["train", "d.h5", "--quiet", "--log", "log.jsonl"] + arguments, in: scratch,
                        sourceLocation: sourceLocation)
    let log = try String(contentsOfFile: scratch.path("log.jsonl"), encoding: .utf8)
    let start = try jsonObject(String(log.split(separator: "\n")[0]), sourceLocation: sourceLocation)
    return try #require(start["config"] as? [String: Any], sourceLocation: sourceLocation)
}

/// Whether `value` (a part of parsed JSON) is the JSON `expected`: both are written back with
/// sorted keys by the same serializer, so a number reads the same on both sides.
private func isJSON(_ value: Any?, _ expected: String) -> Bool {
    guard let value, let parsed = try? JSONSerialization.jsonObject(with: Data(expected.utf8), options: .fragmentsAllowed),
          let a = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]),
          let b = try? JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .fragmentsAllowed])
    else { return false }
    return a == b
}

private let settings = """
    {"layers": "16,8", "lr": 0.01, "dropout": 0.2, "epochs": 2, "schedule": "cosine", "warmup-steps": 5,
     "batch-size": 32, "optimizer": "momentum", "nesterov": true, "seed": 7, "max-steps": 6}
    """

@Suite struct ConfigFileTests {
    @Test func theFilesSettingsTakeEffect() throws {
        let scratch = try TemporaryDirectory()
        try write(settings, to: "run.json", in: scratch)
        let config = try startConfig(["--config", "run.json"], in: scratch)
        // "layers" and "dropout" are the --layers shorthand, recorded as the layer list.
        #expect(isJSON(config["model"], #"[{"dense":16},"relu",{"dropout":0.2},{"dense":8},"relu",{"dropout":0.2}]"#),
                "\(config["model"] ?? "no model")")
        #expect(config["hiddenSizes"] == nil && config["dropout"] == nil, "\(config)")
        #expect(config["epochs"] as? Int == 2)
        #expect(config["batchSize"] as? Int == 32)
        #expect(config["seed"] as? Int == 7)
        #expect(config["maxSteps"] as? Int == 6)
        let optimizer = try #require(config["optimizer"] as? [String: Any])
        #expect(optimizer["learningRate"] as? Double == 0.01)
        #expect(optimizer["kind"] as? String == "momentum")
        #expect(optimizer["nesterov"] as? Bool == true)
        #expect("\(config["schedule"] ?? "")".contains("cosine"), "\(config)")
    }

    @Test func flagsOnTheCommandLineOverrideTheFile() throws {
        let scratch = try TemporaryDirectory()
        try write(settings, to: "run.json", in: scratch)
        let config = try startConfig(["--epochs", "1", "--config=run.json", "--lr", "0.5", "--layers", "4"],
                                     in: scratch)
        #expect(config["epochs"] as? Int == 1)
        // --layers 4 replaces the file's widths; the file's dropout still applies to them.
        #expect(isJSON(config["model"], #"[{"dense":4},"relu",{"dropout":0.2}]"#), "\(config["model"] ?? "no model")")
        #expect((config["optimizer"] as? [String: Any])?["learningRate"] as? Double == 0.5)
        #expect(config["batchSize"] as? Int == 32)  // from the file
    }

    @Test func falseFlagsAreLeftOut() throws {
        let scratch = try TemporaryDirectory()
        try write(#"{"nesterov": false, "optimizer": "momentum", "max-steps": 2, "layers": "none"}"#,
                  to: "run.json", in: scratch)
        let config = try startConfig(["--config", "run.json"], in: scratch)
        #expect((config["optimizer"] as? [String: Any])?["nesterov"] as? Bool == false)
        #expect(isJSON(config["model"], "[]"), "\(config["model"] ?? "no model")")
    }

    /// Runs `train --config run.json` with `text` in run.json and returns its one error line.
    private func error(_ text: String?, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let scratch = try TemporaryDirectory()
        if let text { try write(text, to: "run.json", in: scratch) }
        let before = scratch.snapshot()
        let result = try spindle(["train", "--config", "run.json", "--epochs", "1"], in: scratch)
        #expect(result.status == 1, "\(result.transcript)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result.transcript)", sourceLocation: sourceLocation)
        #expect(scratch.snapshot() == before, sourceLocation: sourceLocation)
        return result.stderrLines.first ?? ""
    }

    @Test func anUnknownKeyIsNamedWithTheKnownOnes() throws {
        let line = try error(#"{"lr": 0.1, "learning-rate": 0.01}"#)
        #expect(line.hasPrefix("spindle: run.json: unknown setting 'learning-rate'; expected one of: activation, "),
                "\(line)")
        #expect(line.contains(" lr, "))
    }

    @Test func theKnownKeysAreExactlyTrainsOptions() throws {
        let scratch = try TemporaryDirectory()
        let help = try spindleSucceeds(["train", "--help"], in: scratch).stdout
        let flags = Set(help.matches(of: #/--([a-z0-9-]+)/#).map { String($0.output.1) })
            .subtracting(["help", "version", "config"])
        let line = try error(#"{"x": 1}"#)
        let listed = try #require(line.components(separatedBy: "expected one of: ").last)
        #expect(Set(listed.components(separatedBy: ", ")) == flags)
    }

    @Test func aMissingFileIsNamed() throws {
        #expect(try error(nil) == "spindle: run.json: no such file (given to --config)")
    }

    @Test func invalidJSONIsNamed() throws {
        #expect(try error(#"{"lr": 0.1,"#).hasPrefix("spindle: run.json: not valid JSON"))
        #expect(try error(#"["lr", 0.1]"#).hasPrefix("spindle: run.json: expected a JSON object"))
    }

    @Test func wrongValueTypesNameTheKey() throws {
        #expect(try error(#"{"epochs": "ten"}"#) == "spindle: run.json: setting 'epochs' must be a whole number")
        #expect(try error(#"{"epochs": 1.5}"#) == "spindle: run.json: setting 'epochs' must be a whole number")
        #expect(try error(#"{"lr": "fast"}"#) == "spindle: run.json: setting 'lr' must be a number")
        #expect(try error(#"{"nesterov": 1}"#) == "spindle: run.json: setting 'nesterov' must be true or false")
        #expect(try error(#"{"layers": [512, 256]}"#) == "spindle: run.json: setting 'layers' must be a string")
        #expect(try error(#"{"schedule": "linear"}"#).hasPrefix("spindle: run.json: setting 'schedule' must be one of "))
        #expect(try error(#"{"seed": -1}"#) == "spindle: run.json: setting 'seed' must be a whole number >= 0")
    }
}
