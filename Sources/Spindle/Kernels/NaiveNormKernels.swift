/// The references beside `NormKernels`: each the plain loop, one element at a time, in index
/// order (what the layers ran before they were vectorised). NormKernelTests expect the same bits
/// from every kernel whose order of additions is the plain loop's (the elementwise passes and
/// the column sums), and agreement to Double rounding from the row sums, which add in lanes.
///
/// Letters as in `NormKernels`.
enum NaiveNormKernels {
    static func meanAndSquaredDeviations(_ x: UnsafePointer<Float>, count n: Int) -> (mean: Double, squares: Double) {
        var sum = 0.0
        for j in 0..<n { sum += Double(x[j]) }
        let mean = sum / Double(n)
        var squares = 0.0
        for j in 0..<n { let d = Double(x[j]) - mean; squares += d * d }
        return (mean, squares)
    }

    static func gradientSums(_ dy: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                             count n: Int) -> (g: Double, gh: Double) {
        var sum = 0.0, product = 0.0
        for j in 0..<n {
            let g = Double(dy[j] * gamma[j])
            sum += g
            product += g * Double(h[j])
        }
        return (sum, product)
    }

    static func normalizeRow(_ x: UnsafePointer<Float>, mu: Float, r: Float, gamma: UnsafePointer<Float>,
                             beta: UnsafePointer<Float>, xhat: UnsafeMutablePointer<Float>?, y: UnsafeMutablePointer<Float>,
                             count n: Int) {
        for j in 0..<n {
            let h = (x[j] - mu) * r
            xhat?[j] = h
            y[j] = h * gamma[j] + beta[j]
        }
    }

    static func layerNormBackwardRow(_ dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>, xhat: UnsafePointer<Float>,
                                     r: Float, meanG: Float, meanGX: Float, dx: UnsafeMutablePointer<Float>, count n: Int) {
        for j in 0..<n { dx[j] = r * (dy[j] * gamma[j] - meanG - xhat[j] * meanGX) }
    }

    static func productColumnSums(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, rows count: Int, stride n: Int,
                                  columns: Range<Int>, products dGamma: UnsafeMutablePointer<Float>,
                                  sums dBeta: UnsafeMutablePointer<Float>) {
        for u in columns { dGamma[u] = 0; dBeta[u] = 0 }
        for v in 0..<count {
            for u in columns {
                dGamma[u] += dy[v * n + u] * xhat[v * n + u]
                dBeta[u] += dy[v * n + u]
            }
        }
    }

    static func columnSums(_ values: UnsafePointer<Float>, rows count: Int, stride n: Int, columns: Range<Int>,
                           deviationsFrom mean: UnsafePointer<Double>?, into sums: UnsafeMutablePointer<Double>) {
        for u in columns {
            var s = 0.0
            for v in 0..<count {
                let x = Double(values[v * n + u])
                if let mean { s += (x - mean[u]) * (x - mean[u]) } else { s += x }
            }
            sums[u] = s
        }
    }

    static func columnGradientSums(_ g: UnsafePointer<Float>, _ h: UnsafePointer<Float>, rows count: Int, stride n: Int,
                                   columns: Range<Int>, sums: UnsafeMutablePointer<Double>,
                                   products: UnsafeMutablePointer<Double>) {
        for u in columns {
            var s = 0.0, p = 0.0
            for v in 0..<count {
                s += Double(g[v * n + u])
                p += Double(g[v * n + u]) * Double(h[v * n + u])
            }
            sums[u] = s
            products[u] = p
        }
    }

    static func normalizeChannels(_ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, r: UnsafePointer<Float>,
                                  gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                  xhat: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, count n: Int) {
        for j in 0..<n {
            xhat[j] = (x[j] - mean[j]) * r[j]
            y[j] = xhat[j] * gamma[j] + beta[j]
        }
    }

    static func batchNormBackwardRow(_ dy: UnsafePointer<Float>, xhat: UnsafePointer<Float>, k: UnsafePointer<Float>,
                                     count: Float, sumDY: UnsafePointer<Float>, sumDYX: UnsafePointer<Float>,
                                     dx: UnsafeMutablePointer<Float>, width n: Int) {
        for j in 0..<n { dx[j] = k[j] * (count * dy[j] - sumDY[j] - xhat[j] * sumDYX[j]) }
    }
}
