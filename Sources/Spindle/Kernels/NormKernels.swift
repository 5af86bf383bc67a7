/// The loops of the normalisation layers (LayerNormLayer, BatchNormLayer), vectorised with
/// Swift's SIMD types, each with an order of additions fixed by the code alone: the same on
/// every CPU, for any worker count and any cut into tiles. `NaiveNormKernels` holds the plain
/// loops beside them, which NormKernelTests hold these to.
///
/// Why by hand: Swift builds for its target's baseline (SSE2 on x86-64) and LLVM does not
/// reorder floating-point sums, so a plain `sum += Double(x[j])` runs one add per add latency
/// (4 cycles). Eight Double lanes (four SSE2 registers) break that chain; measured on the 2-core
/// machine for one row of 128: mean and squared deviations 227 ns → 62 ns. Elementwise passes
/// use SIMD16<Float>, the same operations in the same order as the scalar expressions (so the
/// same bits), with the tail done one by one.
///
/// Letters: N elements of a row (layernorm's features); V rows of values and C columns, a row
/// stride of `stride` elements (batchnorm: V = B·P positions, C channels).
///
/// Internal: raw pointers, shapes trusted (the layers' callers check them).
enum NormKernels {
    typealias Lanes = SIMD8<Double>
    typealias Floats = SIMD16<Float>

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> Floats {
        UnsafeRawPointer(p).loadUnaligned(as: Floats.self)
    }

    @inline(__always) static func store(_ v: Floats, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Floats.self)
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Double>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always) static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// The lanes' sum in a fixed order: ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)).
    @inline(__always) static func total(_ a: Lanes) -> Double {
        ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
    }

    // MARK: - Along a row (layernorm)

    /// The mean of x[0..<n] and Σ (x − mean)², in Double, two passes. Each pass: lane k adds the
    /// elements j ≡ k (mod 8) below the last multiple of 8, in order; the lanes are added by
    /// `total`; then the remaining elements, in order.
    @inline(__always)
    static func meanAndSquaredDeviations(_ x: UnsafePointer<Float>, count n: Int) -> (mean: Double, squares: Double) {
        let body = n & ~7
        var lanes = Lanes()
        for j in stride(from: 0, to: body, by: 8) { lanes += Lanes(load8(x + j)) }
        var sum = total(lanes)
        for j in body..<n { sum += Double(x[j]) }
        let mean = sum / Double(n), m = Lanes(repeating: mean)
        lanes = Lanes()
        for j in stride(from: 0, to: body, by: 8) {
            let d = Lanes(load8(x + j)) - m
            lanes += d * d
        }
        var squares = total(lanes)
        for j in body..<n { let d = Double(x[j]) - mean; squares += d * d }
        return (mean, squares)
    }

    /// Σ g and Σ g · h over j < n with g = dy[j] · gamma[j] (a Float product), in Double, lanes
    /// as in `meanAndSquaredDeviations`.
    @inline(__always)
    static func gradientSums(_ dy: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                             count n: Int) -> (g: Double, gh: Double) {
        let body = n & ~7
        var s = Lanes(), sh = Lanes()
        for j in stride(from: 0, to: body, by: 8) {
            let g = Lanes(load8(dy + j) * load8(gamma + j))
            s += g
            sh += g * Lanes(load8(h + j))
        }
        var sum = total(s), product = total(sh)
        for j in body..<n {
            let g = Double(dy[j] * gamma[j])
            sum += g
            product += g * Double(h[j])
        }
        return (sum, product)
    }

    /// y = (x − mu) · r · gamma + beta over j < n, keeping x̂ = (x − mu) · r when `xhat` is given.
    @inline(__always)
    static func normalizeRow(_ x: UnsafePointer<Float>, mu: Float, r: Float, gamma: UnsafePointer<Float>,
                             beta: UnsafePointer<Float>, xhat: UnsafeMutablePointer<Float>?, y: UnsafeMutablePointer<Float>,
                             count n: Int) {
        let body = n & ~15, m = Floats(repeating: mu), rv = Floats(repeating: r)
        for j in stride(from: 0, to: body, by: 16) {
            let h = (load16(x + j) - m) * rv
            if let xhat { store(h, xhat + j) }
            store(h * load16(gamma + j) + load16(beta + j), y + j)
        }
        for j in body..<n {
            let h = (x[j] - mu) * r
            xhat?[j] = h
            y[j] = h * gamma[j] + beta[j]
        }
    }

    /// dx = r · (dy · gamma − meanG − x̂ · meanGX) over j < n.
    @inline(__always)
    static func layerNormBackwardRow(_ dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>, xhat: UnsafePointer<Float>,
                                     r: Float, meanG: Float, meanGX: Float, dx: UnsafeMutablePointer<Float>, count n: Int) {
        let body = n & ~15
        let rv = Floats(repeating: r), g0 = Floats(repeating: meanG), gx = Floats(repeating: meanGX)
        for j in stride(from: 0, to: body, by: 16) {
            store(rv * (load16(dy + j) * load16(gamma + j) - g0 - load16(xhat + j) * gx), dx + j)
        }
        for j in body..<n { dx[j] = r * (dy[j] * gamma[j] - meanG - xhat[j] * meanGX) }
    }

    // MARK: - Down columns (a parameter gradient per feature, batchnorm's statistics)

    /// dGamma[u] = Σ_v dy[v, u] · x̂[v, u] and dBeta[u] = Σ_v dy[v, u], in Float, rows v < count
    /// in order, for u in `columns`: sixteen columns at a time, their sums held in registers.
    /// Each column's additions are those of the plain loop, in its order: the same bits.
    static func productColumnSums(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, rows count: Int, stride n: Int,
                                  columns: Range<Int>, products dGamma: UnsafeMutablePointer<Float>,
                                  sums dBeta: UnsafeMutablePointer<Float>) {
        var u = columns.lowerBound
        while u + 16 <= columns.upperBound {
            var p = Floats(), s = Floats()
            for v in 0..<count {
                let g = load16(dy + v * n + u)
                p += g * load16(xhat + v * n + u)
                s += g
            }
            store(p, dGamma + u)
            store(s, dBeta + u)
            u += 16
        }
        for w in u..<columns.upperBound {
            var p: Float = 0, s: Float = 0
            for v in 0..<count {
                p += dy[v * n + w] * xhat[v * n + w]
                s += dy[v * n + w]
            }
            dGamma[w] = p
            dBeta[w] = s
        }
    }

    /// sums[u] = Σ_v term(values[v, u]) in Double, rows v < count in order, for u in `columns`:
    /// eight columns at a time, their sums held in registers; term is x (`mean` nil) or
    /// (x − mean[u])². Each column's order is that of the plain loop: any cut of the columns
    /// gives the same bits.
    static func columnSums(_ values: UnsafePointer<Float>, rows count: Int, stride n: Int, columns: Range<Int>,
                           deviationsFrom mean: UnsafePointer<Double>?, into sums: UnsafeMutablePointer<Double>) {
        var u = columns.lowerBound
        while u + 8 <= columns.upperBound {
            var s = Lanes()
            if let mean {
                let m = load8(mean + u)
                for v in 0..<count { let d = Lanes(load8(values + v * n + u)) - m; s += d * d }
            } else {
                for v in 0..<count { s += Lanes(load8(values + v * n + u)) }
            }
            store(s, sums + u)
            u += 8
        }
        for w in u..<columns.upperBound {
            var s = 0.0
            if let mean {
                for v in 0..<count { let d = Double(values[v * n + w]) - mean[w]; s += d * d }
            } else {
                for v in 0..<count { s += Double(values[v * n + w]) }
            }
            sums[w] = s
        }
    }

    /// sums[u] = Σ_v g[v, u] and products[u] = Σ_v g[v, u] · h[v, u], in Double, rows in order,
    /// for u in `columns`, eight at a time (as `columnSums`).
    static func columnGradientSums(_ g: UnsafePointer<Float>, _ h: UnsafePointer<Float>, rows count: Int, stride n: Int,
                                   columns: Range<Int>, sums: UnsafeMutablePointer<Double>,
                                   products: UnsafeMutablePointer<Double>) {
        var u = columns.lowerBound
        while u + 8 <= columns.upperBound {
            var s = Lanes(), p = Lanes()
            for v in 0..<count {
                let gv = Lanes(load8(g + v * n + u))
                s += gv
                p += gv * Lanes(load8(h + v * n + u))
            }
            store(s, sums + u)
            store(p, products + u)
            u += 8
        }
        for w in u..<columns.upperBound {
            var s = 0.0, p = 0.0
            for v in 0..<count {
                let gv = Double(g[v * n + w])
                s += gv
                p += gv * Double(h[v * n + w])
            }
            sums[w] = s
            products[w] = p
        }
    }

    // MARK: - Along a row of channels (batchnorm)

    /// x̂ = (x − mean) · r and y = x̂ · gamma + beta, every operand a vector over j < n.
    @inline(__always)
    static func normalizeChannels(_ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, r: UnsafePointer<Float>,
                                  gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                  xhat: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, count n: Int) {
        let body = n & ~15
        for j in stride(from: 0, to: body, by: 16) {
            let h = (load16(x + j) - load16(mean + j)) * load16(r + j)
            store(h, xhat + j)
            store(h * load16(gamma + j) + load16(beta + j), y + j)
        }
        for j in body..<n {
            xhat[j] = (x[j] - mean[j]) * r[j]
            y[j] = xhat[j] * gamma[j] + beta[j]
        }
    }

    /// dx = k · (count · dy − sumDY − x̂ · sumDYX) over j < n, with k = weight · r / count per
    /// channel.
    @inline(__always)
    static func batchNormBackwardRow(_ dy: UnsafePointer<Float>, xhat: UnsafePointer<Float>, k: UnsafePointer<Float>,
                                     count: Float, sumDY: UnsafePointer<Float>, sumDYX: UnsafePointer<Float>,
                                     dx: UnsafeMutablePointer<Float>, width n: Int) {
        let body = n & ~15, c = Floats(repeating: count)
        for j in stride(from: 0, to: body, by: 16) {
            let inner = c * load16(dy + j) - load16(sumDY + j) - load16(xhat + j) * load16(sumDYX + j)
            store(load16(k + j) * inner, dx + j)
        }
        for j in body..<n { dx[j] = k[j] * (count * dy[j] - sumDY[j] - xhat[j] * sumDYX[j]) }
    }
}
