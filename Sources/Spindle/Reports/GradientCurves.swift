import Foundation

/// The gradient diagnostics of a training run against layer depth, read from the JSON-lines file
/// `spindle train --log` writes (each epoch line's "layers": `LayerGradients`), and drawn as three
/// charts with one line per epoch on a log₁₀ scale: the gradient norm, where a vanishing gradient
/// shows as a line falling by orders of magnitude towards the first layers; the update ratio
/// ‖Δθ‖/‖θ‖; and the weight norm.
///
/// Depth is a layer's position among the layers with parameters, 1 the first (input side); each
/// point's tooltip (`<title>`) names its layer's group, e.g. "03_residual/01_dense". Each kind of
/// layer (dense, layernorm, …) has its own line style.
public struct GradientCurves: Sendable {
    /// One epoch's diagnostics, in model order.
    public struct Epoch: Equatable, Sendable {
        public var epoch: Int
        public var layers: [LayerGradients]
    }

    /// The epoch lines in file order.
    public var epochs: [Epoch]

    /// Parses a log's text. `source` names the file in errors ("run.jsonl:3: …").
    /// - Throws: `SpindleError.invalidData` for a line that is not a JSON object, an epoch line
    ///   whose "layers" is not a list of {"layer", "gradientNorm", "weightNorm", "updateRatio"},
    ///   or a log with no epoch line that has them.
    public init(log text: String, source: String) throws {
        epochs = []
        for (location, object) in try LogEpochLines.parse(text, source: source) {
            guard let layers = object["layers"] else { continue }
            guard let epoch = (object["epoch"] as? NSNumber)?.intValue, let list = layers as? [[String: Any]],
                  let parsed = Self.layers(list) else {
                throw SpindleError.invalidData(location: location, problem: "epoch line whose \"epoch\" or \"layers\" is " +
                                               "malformed; expected a number and a list of {\"layer\", \"gradientNorm\", " +
                                               "\"weightNorm\", \"updateRatio\"}")
            }
            epochs.append(Epoch(epoch: epoch, layers: parsed))
        }
        guard !epochs.isEmpty else {
            throw SpindleError.invalidData(location: source, problem: "has no gradient diagnostics (\"layers\" in an epoch " +
                                           "line); expected a log written by `spindle train --log` of a model with parameters")
        }
    }

    /// The objects of a "layers" list, or nil when one lacks a field. (A null number, which a
    /// hand-edited log may hold, is read as NaN: not drawn.)
    private static func layers(_ list: [[String: Any]]) -> [LayerGradients]? {
        var result: [LayerGradients] = []
        for item in list {
            guard let name = item["layer"] as? String else { return nil }
            func number(_ key: String) -> Double? {
                if item[key] is NSNull { return .nan }
                return (item[key] as? NSNumber)?.doubleValue
            }
            guard let g = number("gradientNorm"), let w = number("weightNorm"), let u = number("updateRatio") else { return nil }
            result.append(LayerGradients(layer: name, gradientNorm: g, weightNorm: w, updateRatio: u))
        }
        return result
    }

    /// A sequential blue ramp, light for the first epoch to dark for the last: the order of the
    /// lines reads at a glance, and blues stay distinct under the common colour-vision deficiencies.
    static func color(epoch index: Int, of count: Int) -> String {
        let light = (158.0, 202.0, 225.0), dark = (8.0, 48.0, 107.0)
        let t = count > 1 ? Double(index) / Double(count - 1) : 1
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * t).rounded()) }
        return String(format: "#%02X%02X%02X", mix(light.0, dark.0), mix(light.1, dark.1), mix(light.2, dark.2))
    }

    /// A layer's kind, from its group's name: "03_residual/01_dense" → "dense".
    static func kind(_ layer: String) -> String {
        String(layer.split(separator: "/").last?.split(separator: "_", maxSplits: 1).last ?? "")
    }

    /// One quantity against depth, a line per epoch. Where layers of several kinds alternate
    /// (a residual block's norm and dense layer), each kind gets its own line style and each
    /// line joins the layers of one kind: their norms differ by the square root of their sizes,
    /// and one line through both would zig-zag over that instead of showing the trend.
    private func chart(title: String, label: String, _ value: (LayerGradients) -> Double) -> SVGPlot {
        var kinds: [String] = []
        for layer in epochs.flatMap(\.layers) where !kinds.contains(Self.kind(layer.layer)) { kinds.append(Self.kind(layer.layer)) }
        if let dense = kinds.firstIndex(of: "dense") { kinds.insert(kinds.remove(at: dense), at: 0) }
        let styles: [SVGPlot.LineStyle] = [.solid, .dashed, .dotted]
        var series: [SVGPlot.Series] = []
        for (i, e) in epochs.enumerated() {
            for (k, kind) in kinds.enumerated() {
                let layers = e.layers.enumerated().filter { Self.kind($0.element.layer) == kind }
                guard !layers.isEmpty else { continue }
                series.append(SVGPlot.Series(name: kinds.count == 1 ? "epoch \(e.epoch)" : "epoch \(e.epoch), \(kind)",
                                             points: layers.map { (x: Double($0.offset + 1), y: value($0.element)) },
                                             style: styles[min(k, styles.count - 1)],
                                             color: Self.color(epoch: i, of: epochs.count),
                                             tips: layers.map(\.element.layer), inLegend: false))
            }
        }
        // The legend: the epochs' colours, then (for several kinds) each kind's line style.
        var legend = epochs.enumerated().map { i, e in
            SVGPlot.Series(name: "epoch \(e.epoch)", points: [], color: Self.color(epoch: i, of: epochs.count))
        }
        if kinds.count > 1 {
            legend += kinds.enumerated().map { k, kind in
                SVGPlot.Series(name: "\(kind) layers", points: [], style: styles[min(k, styles.count - 1)], markers: false,
                               color: "#555555")
            }
        }
        var plot = SVGPlot(title: title, x: .init(label: "layer depth (layers with parameters, input to output)", integer: true),
                           y: .init(label: label, logarithmic: true), series: series + legend)
        plot.legend = .right
        return plot
    }

    /// ‖∂L/∂θ‖ per layer (mean over each epoch's steps).
    public var gradientPlot: SVGPlot { chart(title: "Gradient norm by layer", label: "gradient L2 norm", \.gradientNorm) }
    /// ‖Δθ‖/‖θ‖ per layer (mean over each epoch's steps).
    public var updateRatioPlot: SVGPlot { chart(title: "Update-to-weight ratio by layer", label: "‖Δw‖ / ‖w‖", \.updateRatio) }
    /// ‖θ‖ per layer at each epoch's end.
    public var weightPlot: SVGPlot { chart(title: "Weight norm by layer", label: "weight L2 norm", \.weightNorm) }

    /// The charts to draw, top to bottom.
    public var plots: [SVGPlot] { [gradientPlot, updateRatioPlot, weightPlot] }
}
