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
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
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
                message: "invalid --model 'dens(32)': expected a layer: one of dense, dropout, repeat, relu, sigmoid, tanh"),
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
        Mistake(spec: "", message: "invalid --model '': expected a layer name (dense, dropout, repeat, relu, sigmoid, tanh) at 'end of the spec' (character 1)"),
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
            (#"["relu", {"conv": 3}]"#, "expected a layer: one of"),
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
}
