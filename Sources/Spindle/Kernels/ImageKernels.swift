/// Where a convolution's or a pool's windows sit on an image: the input, a K×K window moved by
/// `stride`, the input zero-padded by `padding` (pools: none), and the output it gives.
struct Window: Equatable {
    let input: ImageShape
    let kernel: Int
    let stride: Int
    let padding: Int
    /// The output's height and width; its channels are the input's (a convolution's differ,
    /// and it says so itself).
    let outputHeight: Int
    let outputWidth: Int

    init(input: ImageShape, kernel: Int, stride: Int, padding: Int) {
        precondition(kernel <= input.height + 2 * padding && kernel <= input.width + 2 * padding,
                     "Window: kernel \(kernel) larger than the padded input \(input) (ModelSpec.validateShapes)")
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        outputHeight = (input.height + 2 * padding - kernel) / stride + 1
        outputWidth = (input.width + 2 * padding - kernel) / stride + 1
    }

    /// Output positions, Ho · Wo.
    var positions: Int { outputHeight * outputWidth }
    /// Values of one patch, C_in · K².
    var patchWidth: Int { input.channels * kernel * kernel }
}

/// Loops over one channels-last image (TensorShape): the lowering of a convolution to GEMM and
/// the pools. Every sum runs in one fixed order (positions, then window rows, then window
/// columns), so a row's result never depends on which worker computed it.
enum ImageKernels {
    /// The patches of image `x` (H, W, C): row p (output position y·Wo + x) holds the window's
    /// values in the order of PyTorch's `Conv2d.weight` (C, K, K), c·K² + ky·K + kx, zero where
    /// the window hangs over the padding. (P, C·K²) row-major, so that Z = patches · Wᵀ.
    static func patches(_ x: UnsafePointer<Float>, _ g: Window, into col: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, k = g.kernel, kk = k * k, width = g.patchWidth
        let h = g.input.height, w = g.input.width
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let row = col + (oy * g.outputWidth + ox) * width
                for ky in 0..<k {
                    let iy = oy * g.stride - g.padding + ky
                    for kx in 0..<k {
                        let ix = ox * g.stride - g.padding + kx
                        let to = row + ky * k + kx
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            let from = x + (iy * w + ix) * c
                            for ci in 0..<c { to[ci * kk] = from[ci] }
                        } else {
                            for ci in 0..<c { to[ci * kk] = 0 }
                        }
                    }
                }
            }
        }
    }

    /// The inverse of `patches` for gradients: ∂L/∂x (H, W, C) = the sum, over every patch that
    /// holds a pixel, of ∂L/∂(that value). Overwrites `dx`.
    static func addPatches(_ dcol: UnsafePointer<Float>, _ g: Window, into dx: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, k = g.kernel, kk = k * k, width = g.patchWidth
        let h = g.input.height, w = g.input.width
        dx.update(repeating: 0, count: g.input.count)
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let row = dcol + (oy * g.outputWidth + ox) * width
                for ky in 0..<k {
                    let iy = oy * g.stride - g.padding + ky
                    guard iy >= 0 && iy < h else { continue }
                    for kx in 0..<k {
                        let ix = ox * g.stride - g.padding + kx
                        guard ix >= 0 && ix < w else { continue }
                        let to = dx + (iy * w + ix) * c, from = row + ky * k + kx
                        for ci in 0..<c { to[ci] += from[ci * kk] }
                    }
                }
            }
        }
    }

    /// Each channel's largest value in each window of image `x` (no padding).
    static func maxPool(_ x: UnsafePointer<Float>, _ g: Window, into y: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, w = g.input.width
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let out = y + (oy * g.outputWidth + ox) * c
                let corner = x + (oy * g.stride * w + ox * g.stride) * c
                out.update(from: corner, count: c)
                for ky in 0..<g.kernel {
                    for kx in 0..<g.kernel where ky > 0 || kx > 0 {
                        let from = corner + (ky * w + kx) * c
                        for ci in 0..<c where from[ci] > out[ci] { out[ci] = from[ci] }
                    }
                }
            }
        }
    }

    /// ∂L/∂x of `maxPool`: each window's gradient goes to the first pixel (in window order)
    /// that holds its maximum, as PyTorch's. Overwrites `dx`.
    static func maxPoolBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                _ g: Window, into dx: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, w = g.input.width, k = g.kernel
        dx.update(repeating: 0, count: g.input.count)
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let o = (oy * g.outputWidth + ox) * c, corner = (oy * g.stride * w + ox * g.stride) * c
                for ci in 0..<c {
                    let best = y[o + ci]
                    var at = corner + ci
                    search: for ky in 0..<k {
                        for kx in 0..<k where x[corner + (ky * w + kx) * c + ci] == best {
                            at = corner + (ky * w + kx) * c + ci
                            break search
                        }
                    }
                    dx[at] += dy[o + ci]
                }
            }
        }
    }

    /// Each channel's mean over each window of image `x` (no padding): the window's sum, in
    /// window order, divided by K².
    static func avgPool(_ x: UnsafePointer<Float>, _ g: Window, into y: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, w = g.input.width, count = Float(g.kernel * g.kernel)
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let out = y + (oy * g.outputWidth + ox) * c
                let corner = x + (oy * g.stride * w + ox * g.stride) * c
                out.update(repeating: 0, count: c)
                for ky in 0..<g.kernel {
                    for kx in 0..<g.kernel {
                        let from = corner + (ky * w + kx) * c
                        for ci in 0..<c { out[ci] += from[ci] }
                    }
                }
                for ci in 0..<c { out[ci] /= count }
            }
        }
    }

    /// ∂L/∂x of `avgPool`: each window's gradient over K², to each of its pixels. Overwrites `dx`.
    static func avgPoolBackward(_ dy: UnsafePointer<Float>, _ g: Window, into dx: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, w = g.input.width, count = Float(g.kernel * g.kernel)
        dx.update(repeating: 0, count: g.input.count)
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let from = dy + (oy * g.outputWidth + ox) * c
                let corner = dx + (oy * g.stride * w + ox * g.stride) * c
                for ky in 0..<g.kernel {
                    for kx in 0..<g.kernel {
                        let to = corner + (ky * w + kx) * c
                        for ci in 0..<c { to[ci] += from[ci] / count }
                    }
                }
            }
        }
    }

    /// Image (P, C) channels-last → (C, P) channels-first, or back with `inverse`.
    static func transpose(_ x: UnsafePointer<Float>, positions p: Int, channels c: Int, inverse: Bool = false,
                          into y: UnsafeMutablePointer<Float>) {
        if inverse {
            for ci in 0..<c { for i in 0..<p { y[i * c + ci] = x[ci * p + i] } }
        } else {
            for i in 0..<p { for ci in 0..<c { y[ci * p + i] = x[i * c + ci] } }
        }
    }
}
