import Foundation

/// Something a run noticed that its user should know about, told once (`RunEvent.warning`).
public struct RunWarning: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// The first layers' gradients are orders of magnitude smaller than the last layers'.
        case vanishingGradients = "vanishing-gradients"
    }

    public var kind: Kind
    /// The 1-based epoch after which it was seen.
    public var epoch: Int
    /// The measure that crossed its threshold (vanishing gradients: `VanishingGradients.ratio`).
    public var value: Double
    /// One line for people: what was seen, and the remedy.
    public var message: String

    public init(kind: Kind, epoch: Int, value: Double, message: String) {
        (self.kind, self.epoch, self.value, self.message) = (kind, epoch, value, message)
    }
}

/// The check behind the vanishing-gradient warning. It compares the mean gradient norm
/// (`LayerGradients.gradientNorm`) of the first quarter of the layers with parameters with that
/// of the last quarter (at least one layer each; the output layer is the last); below
/// `threshold`, the first layers barely learn.
///
/// Why 1e-3: in the networks Spindle's tests and tutorial train, the ratio is about 0.1–1 where
/// every layer learns (a 784-512-256-10 ReLU network; twenty pre-norm residual blocks, where it
/// stays near 0.3), and 1e-11 in the plain 20-layer sigmoid stack that learns nothing. Between the
/// two, 1e-3 leaves two orders of magnitude either side.
public enum VanishingGradients {
    public static let threshold = 1e-3

    /// The first quarter's mean gradient norm over the last quarter's; nil with fewer than two
    /// layers, or when the last quarter's is 0.
    public static func ratio(_ layers: [LayerGradients]) -> Double? {
        guard layers.count >= 2 else { return nil }
        let (first, last) = quarters(layers)
        return mean(last) > 0 ? mean(first) / mean(last) : nil
    }

    /// The warning for an epoch's diagnostics, or nil when its ratio is at least `threshold`.
    public static func warning(_ layers: [LayerGradients], epoch: Int) -> RunWarning? {
        guard let ratio = ratio(layers), ratio < threshold else { return nil }
        func span(_ part: ArraySlice<LayerGradients>) -> String {
            part.count == 1 ? part.first!.layer : "\(part.first!.layer)…\(part.last!.layer)"
        }
        let (first, last) = quarters(layers)
        let message = "vanishing gradients: after epoch \(epoch) the first layers' gradient norms (\(span(first)), " +
            "mean \(short(mean(first)))) are \(short(ratio)) × the last layers' (\(span(last)), mean \(short(mean(last)))), " +
            "below \(short(threshold)): the first layers barely learn. Remedies: residual blocks with normalisation " +
            "(e.g. --model \"dense(128),repeat(20,residual(layernorm,dense(128),relu))\"), relu instead of sigmoid or " +
            "tanh, --init he"
        return RunWarning(kind: .vanishingGradients, epoch: epoch, value: ratio, message: message)
    }

    /// The first and the last quarter of the layers (at least one layer each).
    private static func quarters(_ layers: [LayerGradients]) -> (ArraySlice<LayerGradients>, ArraySlice<LayerGradients>) {
        let quarter = max(1, layers.count / 4)
        return (layers.prefix(quarter), layers.suffix(quarter))
    }

    private static func mean(_ part: ArraySlice<LayerGradients>) -> Double {
        part.reduce(0) { $0 + $1.gradientNorm } / Double(part.count)
    }

    /// Two significant digits in exponent form when tiny or huge ("1.2e-11"), else three ("0.31").
    private static func short(_ value: Double) -> String {
        value != 0 && (abs(value) < 0.01 || abs(value) >= 1000) ? String(format: "%.2g", value) : String(format: "%.3g", value)
    }
}
