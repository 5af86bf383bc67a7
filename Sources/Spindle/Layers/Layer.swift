/// The contract every layer kind keeps with the two-phase step (DESIGN.md, "Layers in the
/// two-phase step"). The engine owns the buffers and the order; a layer says what it computes.
///
/// Letters: B rows the workspace holds (the batch, or this rank's share of it), R rows of one
/// tile, I and O the layer's input and output widths (elements per row: an image's C·H·W).
/// Every matrix is row-major with rows of I or O elements.
///
/// - Phase A (rows): `forward` and `backward` touch only the rows of their tile, so workers can
///   run tiles in any order and on any thread with the same bits.
/// - Phase B (units): `parameterGradient` computes the gradient of a tile of the layer's units
///   over all B rows, then the engine updates those units' parameters while they are in cache.
/// - A layer whose forward needs statistics over all rows (batch normalisation) sets
///   `needsRowStatistics`; the engine then ends phase A's segment before it, waits for every
///   tile, and runs the `.forward` statistics pass over tiles of its features before going on
///   (and the `.backward` pass likewise before its backward). A pass is a few rounds of sums
///   over this process's rows (`accumulateStatistics`); across ranks, each round's sums are
///   added up over the ranks (`statisticsSums`, one allreduce) before the next round, so that
///   the statistics are the global batch's. `finishStatistics` then derives what the layer uses.
protocol Layer: AnyObject, Sendable {
    /// Elements per row of the input and of the output.
    var inputWidth: Int { get }
    var outputWidth: Int { get }
    /// The layer's parameter tensors, where they sit in the flat buffers (empty: none).
    var parameters: [ParameterTensor] { get }
    /// How many units phase B cuts the parameters into (0: none).
    var unitCount: Int { get }
    /// Buffers the layer keeps besides its output and its output's gradient.
    func scratch(training: Bool) -> ScratchNeeds
    /// Another layer's buffer this one reads (`LayerIO.linked`): a residual block's ends.
    var link: LayerLink? { get }
    /// Whether the output is the input, unchanged (a residual block's fork): the workspace then
    /// gives both the same buffer, so that the forward pass copies nothing. That sharing is sound
    /// because of a rule every layer keeps: it never writes its input, and never writes its
    /// output after its forward pass (backward and phase B read both as forward left them).
    var outputIsInput: Bool { get }

    /// Rows `rows` of the output from the same rows of the input (which it only reads).
    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext)
    /// Given ∂L/∂output for rows `rows` (which it may overwrite, e.g. with ∂L/∂pre-activation for
    /// phase B), writes ∂L/∂input for the same rows when `io.inputGradient` is non-nil.
    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext)
    /// ∂L/∂parameters of `units` over all `rows` rows, into `gradients` (same layout as the
    /// parameters).
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows: Int, gradients: UnsafeMutablePointer<Float>)
    /// The flat ranges holding `units`' parameters (a value, so that phase B allocates nothing).
    func parameterRanges(units: Range<Int>) -> UnitRanges

    var needsRowStatistics: Bool { get }
    /// Features phase A's statistics passes cut this layer into.
    var statisticsUnits: Int { get }
    /// Rounds of sums `pass` takes: a round may read the sums of the rounds before it, once they
    /// hold every rank's rows.
    func statisticsRounds(_ pass: StatisticsPass) -> Int
    /// Round `round` of `pass` for `features`: sums over this process's `rows` rows (of the
    /// input for `.forward`, of ∂L/∂output for `.backward`), each feature's in row order, into
    /// the round's `statisticsSums`.
    func accumulateStatistics(_ pass: StatisticsPass, round: Int, _ io: LayerIO, features: Range<Int>, rows: Int,
                              context: RowContext)
    /// The Doubles round `round` of `pass` writes, which ranks add up elementwise between rounds.
    func statisticsSums(_ pass: StatisticsPass, round: Int, _ io: LayerIO) -> UnsafeMutableBufferPointer<Double>
    /// After the last round, with sums over the global batch: what `forward` (or `backward`)
    /// needs for `features`.
    func finishStatistics(_ pass: StatisticsPass, _ io: LayerIO, features: Range<Int>, context: RowContext)
}

/// The two reductions over rows a layer with `needsRowStatistics` takes: of its input before its
/// forward, and of its output's gradient before its backward.
enum StatisticsPass {
    case forward, backward
}

extension Layer {
    var unitCount: Int { 0 }
    var parameters: [ParameterTensor] { [] }
    func scratch(training: Bool) -> ScratchNeeds { ScratchNeeds() }
    var link: LayerLink? { nil }
    var outputIsInput: Bool { false }
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows: Int, gradients: UnsafeMutablePointer<Float>) {}
    func parameterRanges(units: Range<Int>) -> UnitRanges { UnitRanges(weight: 0..<0, weightDecays: false, bias: 0..<0) }
    var needsRowStatistics: Bool { false }
    var statisticsUnits: Int { 0 }
    func statisticsRounds(_ pass: StatisticsPass) -> Int { 0 }
    func accumulateStatistics(_ pass: StatisticsPass, round: Int, _ io: LayerIO, features: Range<Int>, rows: Int,
                              context: RowContext) {}
    func statisticsSums(_ pass: StatisticsPass, round: Int, _ io: LayerIO) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(start: nil, count: 0)
    }
    func finishStatistics(_ pass: StatisticsPass, _ io: LayerIO, features: Range<Int>, context: RowContext) {}
}

/// One named parameter tensor of a layer, as PyTorch's `state_dict` names and shapes it
/// ("weight" (O, I), "bias" (O)), at `offset` in the flat parameter buffer.
public struct ParameterTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// A buffer of another layer of the plan, by the layer's plan index.
enum LayerLink: Equatable {
    /// (B, O) its output.
    case output(of: Int)
    /// (B, O) its output's gradient (nil where the workspace keeps none).
    case outputGradient(of: Int)
}

/// Where a tile of units' parameters sit in the flat buffers: their weights, which weight decay
/// may apply to, then their biases, which it never does.
struct UnitRanges {
    var weight: Range<Int>
    var weightDecays: Bool
    var bias: Range<Int>
}

/// What a layer asks the workspace for, allocated once when the engine is made.
struct ScratchNeeds {
    /// Buffers of this many floats per row (× B rows each).
    var perRow: [Int] = []
    /// Buffers of a fixed size (e.g. per-feature statistics).
    var fixed: [Int] = []
    /// Buffers of this many floats for each worker, what one tile's pass needs only while it
    /// runs (e.g. a convolution's ∂L/∂patches for a few images at a time).
    var perWorker: [Int] = []
}

/// The buffers of one layer in a workspace. Pointers address row 0; a tile adds r0 · width.
struct LayerIO {
    /// (B, I) what the layer reads: the batch, or the previous layer's output.
    var input: UnsafeMutablePointer<Float>
    /// (B, O).
    var output: UnsafeMutablePointer<Float>
    /// (B, O) ∂L/∂output; nil when the workspace only evaluates.
    var outputGradient: UnsafeMutablePointer<Float>?
    /// (B, I) ∂L/∂input, where a layer before this one needs it; else nil.
    var inputGradient: UnsafeMutablePointer<Float>?
    /// The buffers of `scratch(training:)`, per-row ones first, then fixed ones.
    var scratch: [UnsafeMutablePointer<Float>]
    /// The flat parameter buffer.
    var parameters: UnsafeMutablePointer<Float>
    /// The buffer `Layer.link` names, or nil.
    var linked: UnsafeMutablePointer<Float>? = nil
    /// The buffers of `ScratchNeeds.perWorker`, by worker (`RowContext.worker`).
    var workerScratch: [[UnsafeMutablePointer<Float>]] = []
}

/// What a pass over rows needs to know besides the buffers.
struct RowContext {
    /// Whether this pass trains (dropout drops, statistics are the batch's).
    var training: Bool
    /// The global step, which keys dropout's draws.
    var step: Int
    var seed: UInt64
    /// Position of the workspace's row 0 in the global batch (a rank's first row), so that a
    /// row's random draws do not depend on which rank trains it.
    var rowOffset: Int
    /// Rows of the global batch, B, for the mean loss's 1/B.
    var batchRows: Int
    /// The worker running this pass, which picks its `LayerIO.workerScratch`.
    var worker: Int = 0
}
