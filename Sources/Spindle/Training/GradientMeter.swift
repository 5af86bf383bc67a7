/// What each step's update did to every layer with parameters, for the gradient diagnostics
/// (`LayerGradients`): the L2 norms of its gradient, of its update Δθ and of its parameters after
/// the update (θ: the layer's weights and biases; batchnorm's running statistics are not
/// parameters).
///
/// Cost: the optimizer's kernel measures as it updates (`Optimizer.update(sums:)`), while the
/// gradient, the weights and the moments are in registers anyway — a subtraction and three
/// multiply-adds per parameter — and each tile of units adds into its own slot, so workers share
/// nothing; the coordinator then adds a layer's S tile slots in tile order. All buffers are made
/// once, with the engine. Measured on an AVX2 machine, the measured Adam update takes about 1.4×
/// the plain one's time (its extra work lengthens every element's chain behind the square root
/// and the division), and the update is up to a tenth of a step (784-512-256-10 at batch 64), so
/// measuring every step would cost about 4 % of it: `Trainer` measures one step in `interval`.
///
/// Letters: L layers with parameters, S tiles (the engine's shards).
public final class GradientMeter: @unchecked Sendable {
    /// `Trainer` measures the steps whose batch index in the epoch is a multiple of this (the
    /// epoch's 1st, 9th, 17th, … step): an epoch's figures are means over those, at an eighth of
    /// the cost (about 0.5 % of a step at most).
    public static let interval = 8

    /// Layers with parameters, in plan order.
    public let layerCount: Int
    let tiles: Int
    /// (L, S, 3): per tile, Σ g², Σ Δθ², Σ θ² after the update; written by the tile's worker.
    private let tileSums: UnsafeMutablePointer<Double>
    /// (L, 3): the last measured step's ‖g‖, ‖Δθ‖, ‖θ‖.
    private let norms: UnsafeMutablePointer<Double>
    /// Whether `norms` hold the last step's: false from `begin()` until `finish()`.
    public private(set) var measured = false

    init(layers: Int, tiles: Int) {
        layerCount = layers
        self.tiles = tiles
        tileSums = .allocate(capacity: max(1, layers * tiles * 3))
        norms = .allocate(capacity: max(1, layers * 3))
        tileSums.initialize(repeating: 0, count: max(1, layers * tiles * 3))
        norms.initialize(repeating: 0, count: max(1, layers * 3))
    }

    deinit {
        tileSums.deallocate()
        norms.deallocate()
    }

    /// Where the update of tile `tile` of layer `k` adds its sums (Σ g², Σ Δθ², Σ θ²).
    @inline(__always)
    func slot(layer k: Int, tile: Int) -> UnsafeMutablePointer<Double> {
        tileSums + (k * tiles + tile) * 3
    }

    /// Before a step's update, on the coordinator: every slot to zero (a tile with no units adds
    /// nothing).
    func begin() {
        measured = false
        tileSums.update(repeating: 0, count: layerCount * tiles * 3)
    }

    /// After the update, on the coordinator: each layer's tiles added in tile order.
    func finish() {
        for k in 0..<layerCount {
            var sums = (0.0, 0.0, 0.0)
            for t in 0..<tiles {
                let s = slot(layer: k, tile: t)
                sums = (sums.0 + s[0], sums.1 + s[1], sums.2 + s[2])
            }
            norms[3 * k] = sums.0.squareRoot()
            norms[3 * k + 1] = sums.1.squareRoot()
            norms[3 * k + 2] = sums.2.squareRoot()
        }
        measured = true
    }

    /// The last step's ‖∂L/∂θ‖ of layer `k` (the loss's gradient, before any clipping).
    public func gradientNorm(layer k: Int) -> Double { norms[3 * k] }
    /// The last step's ‖Δθ‖ of layer `k`: how far its update moved the parameters.
    public func updateNorm(layer k: Int) -> Double { norms[3 * k + 1] }
    /// ‖θ‖ of layer `k` after the last step.
    public func weightNorm(layer k: Int) -> Double { norms[3 * k + 2] }
}

extension StepEngine {
    /// The model file's group of each layer `gradientMeter` measures, in its order
    /// ("00_dense", "03_residual/01_dense", …): the layers with parameters are the layout's groups.
    var measuredLayerNames: [String] {
        let layout = network.layout
        precondition(layout.groups.count == trained.count,
                     "StepEngine: \(layout.groups.count) parameter groups for \(trained.count) layers with parameters")
        return layout.groups.map { $0.name(digits: layout.indexDigits) }
    }

    /// ‖θ‖₂ of each layer with parameters now (weights and biases), summed in Double in order:
    /// one pass over the parameters, once an epoch.
    func weightNorms() -> [Double] {
        let p = network.parameters.base
        return trained.map { l in
            let ranges = layers[l].parameterRanges(units: 0..<layers[l].unitCount)
            var sum = 0.0
            for i in ranges.weight { sum += Double(p[i]) * Double(p[i]) }
            for i in ranges.bias { sum += Double(p[i]) * Double(p[i]) }
            return sum.squareRoot()
        }
    }
}
