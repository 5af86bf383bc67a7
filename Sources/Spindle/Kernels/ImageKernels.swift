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
    /// pixels in window order, each pixel's C channels together, (ky·K + kx)·C + c, zero where
    /// the window hangs over the padding. (P, K²·C) row-major, so that Z = patches · W'ᵀ for the
    /// weights W' reordered to (C_out, K, K, C_in) (`ConvLayer`; with one input channel that is
    /// PyTorch's own order). Each pixel is one contiguous copy of C floats.
    static func patches(_ x: UnsafePointer<Float>, _ g: Window, into col: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, k = g.kernel, width = g.patchWidth
        let h = g.input.height, w = g.input.width
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                var to = col + (oy * g.outputWidth + ox) * width
                for ky in 0..<k {
                    let iy = oy * g.stride - g.padding + ky
                    for kx in 0..<k {
                        let ix = ox * g.stride - g.padding + kx
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            to.update(from: x + (iy * w + ix) * c, count: c)
                        } else {
                            to.update(repeating: 0, count: c)
                        }
                        to += c
                    }
                }
            }
        }
    }

    /// The inverse of `patches` for gradients: ∂L/∂x (H, W, C) = the sum, over every patch that
    /// holds a pixel, of ∂L/∂(that value), patches in order. Overwrites `dx`.
    static func addPatches(_ dcol: UnsafePointer<Float>, _ g: Window, into dx: UnsafeMutablePointer<Float>) {
        let c = g.input.channels, k = g.kernel, width = g.patchWidth
        let h = g.input.height, w = g.input.width
        dx.update(repeating: 0, count: g.input.count)
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                var from = dcol + (oy * g.outputWidth + ox) * width
                for ky in 0..<k {
                    let iy = oy * g.stride - g.padding + ky
                    for kx in 0..<k {
                        let ix = ox * g.stride - g.padding + kx
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            let to = dx + (iy * w + ix) * c
                            for ci in 0..<c { to[ci] += from[ci] }
                        }
                        from += c
                    }
                }
            }
        }
    }

    /// Reorders a conv's weights (C_out, C_in, K²) ↔ (C_out, K², C_in), rows `units` only:
    /// PyTorch's layout to the patches' order, or back with `inverse`.
    static func reorderKernels(_ from: UnsafePointer<Float>, units: Range<Int>, inputs: Int, kernelArea kk: Int,
                               inverse: Bool = false, into to: UnsafeMutablePointer<Float>) {
        let q = inputs * kk
        for u in units {
            let a = from + u * q, b = to + u * q
            for ci in 0..<inputs {
                for j in 0..<kk {
                    if inverse { b[ci * kk + j] = a[j * inputs + ci] } else { b[j * inputs + ci] = a[ci * kk + j] }
                }
            }
        }
    }

    /// Each channel's largest value in each window of image `x` (no padding), the first in window
    /// order on ties; with `at`, also where it is (its index in `x`, exact as a Float below 2²⁴).
    static func maxPool(_ x: UnsafePointer<Float>, _ g: Window, into y: UnsafeMutablePointer<Float>,
                        at: UnsafeMutablePointer<Float>? = nil) {
        let c = g.input.channels, w = g.input.width
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let o = (oy * g.outputWidth + ox) * c
                let corner = (oy * g.stride * w + ox * g.stride) * c
                let out = y + o
                out.update(from: x + corner, count: c)
                if let at { for ci in 0..<c { at[o + ci] = Float(corner + ci) } }
                for ky in 0..<g.kernel {
                    for kx in 0..<g.kernel where ky > 0 || kx > 0 {
                        let pixel = corner + (ky * w + kx) * c, from = x + pixel
                        if let at {
                            for ci in 0..<c where from[ci] > out[ci] {
                                out[ci] = from[ci]
                                at[o + ci] = Float(pixel + ci)
                            }
                        } else {
                            for ci in 0..<c where from[ci] > out[ci] { out[ci] = from[ci] }
                        }
                    }
                }
            }
        }
    }

    /// ∂L/∂x of `maxPool`: each window's gradient goes to where its maximum was (`at`), as
    /// PyTorch's, outputs in order. Overwrites `dx`.
    static func maxPoolBackward(_ dy: UnsafePointer<Float>, at: UnsafePointer<Float>, _ g: Window,
                                into dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: g.input.count)
        for o in 0..<(g.positions * g.input.channels) { dx[Int(at[o])] += dy[o] }
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
