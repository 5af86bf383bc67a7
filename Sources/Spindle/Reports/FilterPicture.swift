import Foundation

/// A conv layer's learned filters as a plain SVG 1.1 picture: one row per output channel, one
/// K×K tile per input channel (up to `maxInputs`), each weight a square shaded on a diverging
/// scale, blue for negative, white for zero, red for positive, scaled by the layer's largest
/// |weight|, so that filters are comparable with each other. What a first layer learned on
/// images (edges, blobs, stripes) shows at a glance.
public enum FilterPicture {
    /// Input channels drawn per filter; wider layers show their first ones.
    public static let maxInputs = 8

    /// The SVG document of `weight`, PyTorch's (C, C_in, K, K) row-major.
    public static func svg(weight: [Float], shape: [Int], title: String, cell: Double = 12) -> String {
        precondition(shape.count == 4 && shape.reduce(1, *) == weight.count, "FilterPicture: weight is not (C, C_in, K, K)")
        let (outputs, inputs, k) = (shape[0], shape[1], shape[2])
        let shown = min(inputs, maxInputs), gap = cell, margin = 10.0, titleHeight = 28.0
        let tile = Double(k) * cell
        // Filters in a grid of columns, each filter a strip of `shown` tiles.
        let strip = Double(shown) * tile + Double(shown - 1) * (cell / 2)
        let columns = max(1, min(outputs, Int(900 / (strip + gap))))
        let rows = (outputs + columns - 1) / columns
        let width = 2 * margin + Double(columns) * strip + Double(columns - 1) * gap
        let height = titleHeight + 2 * margin + Double(rows) * tile + Double(rows - 1) * gap
        let scale = Double(weight.map { abs($0) }.max() ?? 1)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(Int(width.rounded(.up)))" \
            height="\(Int(height.rounded(.up)))" viewBox="0 0 \(fmt(width)) \(fmt(height))">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(fmt(margin))" y="20" font-family="sans-serif" font-size="14">\(escaped(title))</text>

            """
        for o in 0..<outputs {
            let x0 = margin + Double(o % columns) * (strip + gap), y0 = titleHeight + margin + Double(o / columns) * (tile + gap)
            out += "<g><title>filter \(o)</title>\n"
            for i in 0..<shown {
                let tx = x0 + Double(i) * (tile + cell / 2)
                for ky in 0..<k {
                    for kx in 0..<k {
                        let w = Double(weight[((o * inputs + i) * k + ky) * k + kx])
                        out += "<rect x=\"\(fmt(tx + Double(kx) * cell))\" y=\"\(fmt(y0 + Double(ky) * cell))\" "
                            + "width=\"\(fmt(cell))\" height=\"\(fmt(cell))\" fill=\"\(color(scale > 0 ? w / scale : 0))\"/>\n"
                    }
                }
                out += "<rect x=\"\(fmt(tx))\" y=\"\(fmt(y0))\" width=\"\(fmt(tile))\" height=\"\(fmt(tile))\" "
                    + "fill=\"none\" stroke=\"#888888\" stroke-width=\"0.5\"/>\n"
            }
            out += "</g>\n"
        }
        return out + "</svg>\n"
    }

    /// Blue (−1) through white (0) to red (+1).
    static func color(_ t: Double) -> String {
        let v = max(-1, min(1, t))
        let (r, g, b) = v >= 0 ? (255.0, 255 * (1 - v), 255 * (1 - v)) : (255 * (1 + v), 255 * (1 + v), 255.0)
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }

    private static func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

    private static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
