@testable import Spindle

/// One layer alone, with buffers of its own, driven the way `StepEngine` drives a layer: in
/// training, the statistics over S tiles of its features, the forward over S tiles of rows, the
/// statistics of the output gradient, the backward, the parameter gradient over S tiles of
/// units. So a layer kind can be checked against a reference without a network around it.
///
/// Letters (Layer.swift): B rows, I and O the layer's widths.
final class LayerHarness {
    let layer: any Layer
    let rows: Int
    /// The flat parameter buffer the layer's offsets point into, and its gradient.
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    /// (B, I), (B, O), (B, O), (B, I).
    let input, output, outputGradient, inputGradient: FloatBuffer
    private let trainingScratch: [FloatBuffer], evaluationScratch: [FloatBuffer]

    init(_ layer: any Layer, rows: Int, parameters: [Float]) {
        self.layer = layer
        self.rows = rows
        self.parameters = FloatBuffer(parameters)
        gradients = FloatBuffer(count: parameters.count)
        input = FloatBuffer(count: rows * layer.inputWidth)
        inputGradient = FloatBuffer(count: rows * layer.inputWidth)
        output = FloatBuffer(count: rows * layer.outputWidth)
        outputGradient = FloatBuffer(count: rows * layer.outputWidth)
        func scratch(_ training: Bool) -> [FloatBuffer] {
            let needs = layer.scratch(training: training)
            return needs.perRow.map { FloatBuffer(count: rows * $0) } + needs.fixed.map { FloatBuffer(count: $0) }
        }
        trainingScratch = scratch(true)
        evaluationScratch = scratch(false)
    }

    private func io(training: Bool) -> LayerIO {
        LayerIO(input: input.base, output: output.base, outputGradient: training ? outputGradient.base : nil,
                inputGradient: training ? inputGradient.base : nil,
                scratch: (training ? trainingScratch : evaluationScratch).map(\.base), parameters: parameters.base)
    }

    private func context(training: Bool) -> RowContext {
        RowContext(training: training, step: 0, seed: 0, rowOffset: 0, batchRows: rows)
    }

    /// The training forward of `x` (B, I), cut into `tiles` tiles: y (B, O).
    func forward(_ x: [Float], tiles: Int) -> [Float] {
        precondition(x.count == input.count, "LayerHarness: \(x.count) inputs for \(input.count)")
        x.withUnsafeBufferPointer { input.copy(from: $0) }
        let io = self.io(training: true), context = self.context(training: true)
        if layer.needsRowStatistics {
            for t in 0..<tiles {
                let features = Partition.part(layer.statisticsUnits, index: t, of: tiles)
                if !features.isEmpty { layer.rowStatistics(io, features: features, rows: rows, context: context) }
            }
        }
        for t in 0..<tiles {
            let part = Partition.part(rows, index: t, of: tiles)
            if !part.isEmpty { layer.forward(io, rows: part, context: context) }
        }
        return output.array()
    }

    /// After `forward`: ∂L/∂x (B, I) and ∂L/∂parameters (the flat buffer's layout) for
    /// ∂L/∂y = `upstream` (B, O).
    func backward(_ upstream: [Float], tiles: Int) -> (input: [Float], parameters: [Float]) {
        precondition(upstream.count == outputGradient.count, "LayerHarness: \(upstream.count) gradients for \(outputGradient.count)")
        upstream.withUnsafeBufferPointer { outputGradient.copy(from: $0) }
        let io = self.io(training: true), context = self.context(training: true)
        if layer.needsRowStatistics {
            for t in 0..<tiles {
                let features = Partition.part(layer.statisticsUnits, index: t, of: tiles)
                if !features.isEmpty { layer.gradientStatistics(io, features: features, rows: rows, context: context) }
            }
        }
        for t in 0..<tiles {
            let part = Partition.part(rows, index: t, of: tiles)
            if !part.isEmpty { layer.backward(io, rows: part, context: context) }
        }
        gradients.base.update(repeating: 0, count: gradients.count)
        for t in 0..<tiles {
            let units = Partition.part(layer.unitCount, index: t, of: tiles)
            if !units.isEmpty { layer.parameterGradient(io, units: units, rows: rows, gradients: gradients.base) }
        }
        return (inputGradient.array(), gradients.array())
    }

    /// The evaluation forward of `x` (B, I), over `tiles` row tiles, with no training scratch: y (B, O).
    func evaluate(_ x: [Float], tiles: Int) -> [Float] {
        x.withUnsafeBufferPointer { input.copy(from: $0) }
        let io = self.io(training: false), context = self.context(training: false)
        for t in 0..<tiles {
            let part = Partition.part(rows, index: t, of: tiles)
            if !part.isEmpty { layer.forward(io, rows: part, context: context) }
        }
        return output.array()
    }
}
