import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// The `--model` grammar and its JSON form (DESIGN.md, "The model spec").
struct ModelSpecParserTests {
    @Test func parsesTheDesignExamples() throws {
        #expect(try ModelSpecParser.parse("dense(512),relu,dropout(0.2),dense(256),relu") ==
                [.dense(units: 512), .activation(.relu), .dropout(0.2), .dense(units: 256), .activation(.relu)])
        #expect(try ModelSpecParser.parse(" dense( 64 , init=torch ) , tanh ") ==
                [.dense(units: 64, initialization: .torch), .activation(.tanh)])
        #expect(try ModelSpecParser.parse("dense(8),repeat(2,dense(4),sigmoid),relu") ==
                [.dense(units: 8), .dense(units: 4), .activation(.sigmoid), .dense(units: 4), .activation(.sigmoid),
                 .activation(.relu)])
    }

    @Test func theShorthandSpellsTheSameList() throws {
        #expect([LayerSpec].shorthand(hiddenSizes: [64, 32], activation: .relu, dropout: 0.2) ==
                (try ModelSpecParser.parse("dense(64),relu,dropout(0.2),dense(32),relu,dropout(0.2)")))
        #expect([LayerSpec].shorthand(hiddenSizes: [], activation: .tanh).isEmpty)
    }

    @Test func textAndJSONRoundTrip() throws {
        let layers = try ModelSpecParser.parse("dropout(0.1),dense(16,init=lecun),sigmoid,dense(8),dropout(0.5),tanh")
        #expect(try ModelSpecParser.parse(layers.specText) == layers)
        // Sorted keys: an unsorted encoder orders an object's keys by their hashes, which Swift
        // seeds anew in every process.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(layers), as: UTF8.self)
        #expect(json == #"[{"dropout":0.1},{"dense":16,"init":"lecun"},"sigmoid",{"dense":8},{"dropout":0.5},"tanh"]"#)
        #expect(try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8)) == layers)
    }

    struct Mistake: Sendable, CustomTestStringConvertible {
        var spec: String
        var message: String
        var testDescription: String { spec }
    }

    /// Each mistake gives one line that quotes the bad term and says what was expected there.
    static let mistakes = [
        Mistake(spec: "dense(64),relu,dens(32)",
                message: "invalid --model 'dens(32)': expected a layer: one of dense, dropout, repeat, residual, layernorm, batchnorm, conv, maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh, gelu, silu, leaky_relu"),
        Mistake(spec: "dense(0),relu",
                message: "invalid --model 'dense(0)': expected dense(N) with N a number of units from 1 to 1048576, e.g. dense(128)"),
        Mistake(spec: "dense(64),dropout(1.5)",
                message: "invalid --model 'dropout(1.5)': expected dropout(P) with P a probability in [0, 1), e.g. dropout(0.2)"),
        Mistake(spec: "dense(64,init=xavier)",
                message: "invalid --model 'dense(64,init=xavier)': expected init= one of he, glorot, lecun, torch"),
        Mistake(spec: "relu(2)", message: "invalid --model 'relu(2)': expected relu without arguments"),
        Mistake(spec: "repeat(0,dense(4))",
                message: "invalid --model 'repeat(0,dense(4))': expected repeat(N, layers…) with N from 1 to 10000 and at least one layer, e.g. repeat(4,dense(64),relu)"),
        Mistake(spec: "dense(64",
                message: "invalid --model 'dense(64': expected ')' closing dense( at 'dense(64' (character 1)"),
        Mistake(spec: "dense(64) relu",
                message: "invalid --model 'dense(64) relu': expected a ',' between terms at 'relu' (character 11)"),
        Mistake(spec: "dense(8),leaky_relu(-1)",
                message: "invalid --model 'leaky_relu(-1)': expected leaky_relu(A) with A a negative-side slope >= 0, e.g. leaky_relu(0.01)"),
        Mistake(spec: "layernorm(3)",
                message: "invalid --model 'layernorm(3)': expected layernorm without arguments (it normalises its input's width)"),
        Mistake(spec: "", message: "invalid --model '': expected a layer name (dense, dropout, repeat, residual, layernorm, batchnorm, conv, maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh, gelu, silu, leaky_relu) at 'end of the spec' (character 1)"),
    ]

    @Test(arguments: mistakes)
    func mistakesNameTheTerm(_ m: Mistake) {
        #expect(throws: SpindleError.self) { try ModelSpecParser.parse(m.spec) }
        do {
            _ = try ModelSpecParser.parse(m.spec)
        } catch {
            #expect("\(error)" == m.message)
        }
    }

    @Test func jsonMistakesNameTheLayer() {
        for (json, message) in [
            (#"[{"dense": 0}]"#, "dense(N) with N a number of units"),
            (#"["relu", {"convolution": 3}]"#, "expected a layer: one of"),
            (#"["relu", {"conv": 3}]"#, "expected conv(C,K) with C output channels"),
            (#"[{"dense": 4, "dropout": 0.1}]"#, "expected one layer per object"),
        ] {
            do {
                _ = try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8))
                Issue.record("\(json) decoded")
            } catch let DecodingError.dataCorrupted(context) {
                #expect(context.debugDescription.contains(message), "\(json): \(context.debugDescription)")
            } catch {
                Issue.record("\(json): \(error)")
            }
        }
    }

    /// Blocks and norms: the grammar, its JSON form ({"residual": [...]}, bare "layernorm") and
    /// back; a body that changes the width is refused naming the block.
    @Test func blocksAndNormsRoundTrip() throws {
        let layers = try ModelSpecParser.parse("dense(8),repeat(2,residual(layernorm,dense(8),gelu)),batchnorm,leaky_relu,silu")
        #expect(layers.count == 6)
        #expect(layers[1] == .residual([.layerNorm, .dense(units: 8), .activation(.gelu)]))
        #expect(layers[4] == .leakyRelu(0.01))
        #expect(try ModelSpecParser.parse(layers.specText) == layers)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(Array(layers[2...])), as: UTF8.self)
        #expect(json == #"[{"residual":["layernorm",{"dense":8},"gelu"]},"batchnorm",{"leaky_relu":0.01},"silu"]"#)
        #expect(try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8)) == Array(layers[2...]))
        let nested = try ModelSpecParser.parse("residual(dense(4),residual(batchnorm,dense(4)))")
        #expect(nested == [.residual([.dense(units: 4), .residual([.batchNorm, .dense(units: 4)])])])

        let wrong = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse("dense(128),residual(dense(64))"), outputCount: 3)
        #expect(throws: SpindleError.invalidConfig(
            setting: "model", found: "residual(dense(64))",
            expected: "a body that keeps its input's width 128 (x + body(x)); this one ends at 64")) {
            try wrong.validateShapes()
        }
    }
}
