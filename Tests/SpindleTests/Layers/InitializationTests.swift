import Spindle
import SpindleTestSupport
import Testing

/// `--init` and `init=`: each rule's bounds, which layers it reaches, and that the default stays
/// what it was (He before ReLU, Glorot elsewhere and for the output layer).
struct InitializationTests {
    static func dense(_ network: Network, _ d: Int) -> (weights: [Float], biases: [Float], fanIn: Int, fanOut: Int) {
        let layer = network.layout.denseLayers[d]
        return (network.weights(layer: d), network.biases(layer: d), layer.inputs, layer.outputs)
    }

    @Test(arguments: Initialization.allCases)
    func weightsFillTheirBound(_ rule: Initialization) {
        let spec = ModelSpec(inputCount: 300, layers: [.dense(units: 200), .activation(.relu)], outputCount: 10,
                             initialization: rule)
        let network = Network(spec: spec, seed: 1)
        for d in 0..<2 {
            let (w, b, fanIn, fanOut) = Self.dense(network, d)
            let limit = rule.limit(fanIn: fanIn, fanOut: fanOut)
            let largest = w.map(abs).max()!
            // 60,000 uniform draws reach within 0.1 % of the bound, and never past it.
            #expect(largest <= limit && largest > 0.999 * limit, "\(rule) layer \(d)")
            if let biasLimit = rule.biasLimit(fanIn: fanIn) {
                #expect(b.allSatisfy { abs($0) <= biasLimit } && b.contains { $0 != 0 }, "\(rule) biases")
                #expect(abs(biasLimit - 1 / Float(fanIn).squareRoot()) < 1e-7)
            } else {
                #expect(b.allSatisfy { $0 == 0 })
            }
        }
    }

    @Test func boundsAreThePublishedOnes() {
        #expect(Initialization.he.limit(fanIn: 24, fanOut: 7) == Float((6.0 / 24).squareRoot()))
        #expect(Initialization.glorot.limit(fanIn: 24, fanOut: 8) == Float((6.0 / 32).squareRoot()))
        #expect(Initialization.lecun.limit(fanIn: 12, fanOut: 7) == 0.5)
        #expect(Initialization.torch.limit(fanIn: 16, fanOut: 7) == 0.25)
    }

    @Test func defaultRuleAndOverrides() throws {
        let layers = try ModelSpecParser.parse("dense(8),relu,dense(8,init=torch),tanh,dense(8),dropout(0.1),relu")
        let spec = ModelSpec(inputCount: 4, layers: layers, outputCount: 3)
        #expect([0, 2, 4, 7].map(spec.initialization(ofLayer:)) == [.he, .torch, .he, .glorot])
        var global = spec
        global.initialization = .lecun
        #expect([0, 2, 4, 7].map(global.initialization(ofLayer:)) == [.lecun, .torch, .lecun, .lecun])

        // Inside a residual body: Glorot before relu too (a body adds to its input), unless told.
        let blocks = ModelSpec(inputCount: 4, layers: try ModelSpecParser.parse(
            "dense(8),relu,residual(layernorm,dense(8),relu),residual(dense(8,init=he),relu)"), outputCount: 3)
        #expect(blocks.initialization(ofLayer: 0) == .he)
        #expect(blocks.initialization(ofLayerAt: [2, 1]) == .glorot)
        #expect(blocks.initialization(ofLayerAt: [3, 0]) == .he)
        var told = blocks
        told.initialization = .torch
        #expect(told.initialization(ofLayerAt: [2, 1]) == .torch)
    }

    /// The shorthand's initialisation is the one earlier versions drew: the layer list changed
    /// nothing about which numbers a seed gives.
    @Test func theShorthandDrawsAsBefore() {
        let network = Network(spec: ModelSpec(inputCount: 6, hiddenSizes: [5], outputCount: 3, activation: .relu), seed: 11)
        let w0 = network.weights(layer: 0), limit = Initialization.he.limit(fanIn: 6, fanOut: 5)
        // Weight i of dense layer 0: Philox counter (i/4, 0, purpose·2¹⁶ + 0, 0), lane i mod 4.
        for i in [0, 5, 29] {
            let block = Philox.block((UInt32(i / 4), 0, RandomPurpose.initialization.rawValue << 16, 0), key: 11)
            #expect(w0[i] == (2 * Philox.unitFloat(Philox.word(block, i % 4)) - 1) * limit)
        }
    }
}
