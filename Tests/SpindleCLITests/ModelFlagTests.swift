import Foundation
import SpindleTestSupport
import Testing

/// `--model SPEC`: the grammar, its JSON forms (@file.json, --config's "model"), the shorthand it
/// replaces, the layer table, and its mistakes.
@Suite struct ModelFlagTests {
    static let common = ["train", "data.h5", "--epochs", "2", "--batch-size", "16", "--seed", "5", "--quiet"]

    static func data(_ scratch: TemporaryDirectory) throws {
        try SyntheticData().write(to: scratch.path("data.h5"))
    }

    /// The issue's check: the list written out and the shorthand train the same bits.
    @Test func modelAndShorthandTrainTheSameBits() throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let spec = "dense(64),relu,dropout(0.2),dense(32),relu,dropout(0.2)"
        try spindleSucceeds(Self.common + ["--model", spec, "--checkpoint-dir", "model"], in: scratch)
        try spindleSucceeds(Self.common + ["--layers", "64,32", "--dropout", "0.2", "--checkpoint-dir", "shorthand"],
                            in: scratch)
        let json = #"[{"dense": 64}, "relu", {"dropout": 0.2}, {"dense": 32}, "relu", {"dropout": 0.2}]"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: scratch.path("model.json")))
        try spindleSucceeds(Self.common + ["--model", "@model.json", "--checkpoint-dir", "file"], in: scratch)
        try Data(#"{"model": \#(json), "epochs": 2}"#.utf8).write(to: URL(fileURLWithPath: scratch.path("run.json")))
        try spindleSucceeds(Self.common + ["--config", "run.json", "--checkpoint-dir", "config"], in: scratch)

        let reference = try floatDatasets(in: scratch.path("model/model.h5"))
        #expect(reference.keys.sorted() == ["/model/00_dense/bias", "/model/00_dense/weight", "/model/03_dense/bias",
                                            "/model/03_dense/weight", "/model/06_dense/bias", "/model/06_dense/weight",
                                            "/optimizer/moment_1", "/optimizer/moment_2"])
        for other in ["shorthand", "file", "config"] {
            #expect(try floatDatasets(in: scratch.path("\(other)/model.h5")) == reference, "\(other)")
        }
    }

    /// Layers no shorthand spells train, save, evaluate and predict.
    @Test func anyLayerListTrainsAndEvaluates() throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let run = try spindleSucceeds(
            ["train", "data.h5", "--model", "dropout(0.1),dense(12,init=torch),tanh,dense(8),sigmoid,relu",
             "--init", "lecun", "--epochs", "10", "--batch-size", "16", "--lr", "0.01", "--checkpoint-dir", "m"],
            in: scratch)
        #expect(run.stderrLines.contains("         1  dense(12,init=torch)  (12)                  84"), "\(run.stderr)")
        let eval = try spindleSucceeds(["eval", "m/model.h5", "data.h5", "--json"], in: scratch)
        let report = try jsonObject(eval.stdout)
        #expect((report["accuracy"] as? Double ?? 0) > 0.5)
        try spindleSucceeds(["predict", "m/model.h5", "data.h5", "-o", "p.h5"], in: scratch)
    }

    /// `spindle inspect MODEL` prints the layer table whole, as Keras's summary().
    @Test func inspectPrintsTheLayerTable() throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        try spindleSucceeds(Self.common + ["--model", "dense(16),relu,dropout(0.25),dense(8),tanh",
                                           "--checkpoint-dir", "m"], in: scratch)
        let inspect = try spindleSucceeds(["inspect", "m/model.h5"], in: scratch)
        let table = Array(inspect.stdoutLines.prefix(8))
        #expect(table == [
            "Spindle model 6-16-8-3: 275 parameters, cross-entropy loss",
            "  #  layer              output shape  parameters",
            "  0  dense(16)          (16)                 112",
            "  1  relu               (16)                   0",
            "  2  dropout(0.25)      (16)                   0",
            "  3  dense(8)           (8)                  136",
            "  4  tanh               (8)                    0",
            "  5  dense(3) (output)  (3)                   27",
        ], "\(inspect.stdout)")
        #expect(inspect.stdoutLines[8] == "     input (6)          total                275")
    }

    struct Mistake: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let mistakes = [
        Mistake(arguments: ["--model", "dense(32),swish"],
                message: "Error: invalid --model 'swish': expected a layer: one of dense, dropout, repeat, residual, layernorm, batchnorm, conv, maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh, gelu, silu, leaky_relu"),
        Mistake(arguments: ["--model", "dense(0)"],
                message: "Error: invalid --model 'dense(0)': expected dense(N) with N a number of units from 1 to 1048576, e.g. dense(128)"),
        Mistake(arguments: ["--model", "dense(8),dropout(1)"],
                message: "Error: invalid --model 'dropout(1)': expected dropout(P) with P a probability in [0, 1), e.g. dropout(0.2)"),
        Mistake(arguments: ["--model", "dense(8)", "--layers", "8"],
                message: "Error: --model and --layers exclude each other: write the layers into the --model spec"),
        Mistake(arguments: ["--model", #"[{"dense": 8}, {"dropout": 2}]"#],
                message: "Error: --model: layer 2: invalid --model 'dropout(2)': expected dropout(P) with P a probability in [0, 1), e.g. dropout(0.2)"),
        Mistake(arguments: ["--model", "@missing.json"],
                message: "Error: cannot read --model file 'missing.json': No such file or directory"),
        Mistake(arguments: ["--dropout", "1.5"],
                message: "Error: invalid --dropout '1.5': expected a probability in [0, 1)"),
        Mistake(arguments: ["--model", "dense(8),leaky_relu(-1)"],
                message: "Error: invalid --model 'leaky_relu(-1)': expected leaky_relu(A) with A a negative-side slope >= 0, e.g. leaky_relu(0.01)"),
        Mistake(arguments: ["--model", "repeat(0,residual(layernorm,dense(6)))"],
                message: "Error: invalid --model 'repeat(0,residual(layernorm,dense(6)))': expected repeat(N, layers…) with N from 1 to 10000 and at least one layer, e.g. repeat(4,dense(64),relu)"),
    ]

    /// Mistakes only the data reveal (the width a block receives, the batch batchnorm sees):
    /// exit 1 and exactly one line naming the term, nothing written.
    static let dataMistakes = [
        Mistake(arguments: ["--model", "dense(16),residual(layernorm,dense(8))"],
                message: "spindle: invalid --model 'residual(layernorm,dense(8))': expected a body that keeps its input's width 16 (x + body(x)); this one ends at 8"),
        Mistake(arguments: ["--model", "dense(8),batchnorm,relu", "--batch-size", "1"],
                message: "spindle: invalid --model 'batchnorm': expected training batches of at least 2 rows, but --batch-size 1 has 1 row; a batch's variance needs two (change --batch-size, or use layernorm)"),
    ]

    @Test(arguments: dataMistakes)
    func aSpecTheDataRefuseIsOneLine(_ m: Mistake) throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let before = scratch.snapshot()
        let result = try spindle(["train", "data.h5", "--checkpoint-dir", "m"] + m.arguments, in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderrLines == [m.message], "\(result.transcript)")
        #expect(scratch.snapshot() == before)
    }

    /// One line naming the term, exit 64 (a usage error), nothing written.
    @Test(arguments: mistakes)
    func aBadSpecIsOneLine(_ m: Mistake) throws {
        let scratch = try TemporaryDirectory()
        try Self.data(scratch)
        let before = scratch.snapshot()
        let result = try spindle(["train", "data.h5", "--checkpoint-dir", "m"] + m.arguments, in: scratch)
        #expect(result.status == 64, "\(result.transcript)")
        #expect(result.stderrLines.first == m.message, "\(result.transcript)")
        #expect(scratch.snapshot() == before)
    }
}
