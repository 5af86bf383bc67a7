import ArgumentParser
import Foundation
import Spindle

extension Activation: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}
extension EarlyStoppingConfig.Monitor: ExpressibleByArgument {}

/// Learning-rate schedule names accepted by --schedule.
enum ScheduleName: String, CaseIterable, ExpressibleByArgument {
    case constant, step, cosine
}

/// The network's shape: `--model`, or the `--layers`/`--activation`/`--dropout` shorthand.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The layers before the output layer, e.g. \"dense(512),relu,dropout(0.2),dense(256),relu\", or @file.json.",
        discussion: "Terms: dense(N[,init=he|glorot|lecun|torch]), relu, sigmoid, tanh, dropout(P), repeat(N, …). " +
            "The output dense layer, sized by the data, is added. A JSON list works too: [{\"dense\": 512}, \"relu\"] " +
            "(default: the --layers shorthand)."))
    var model: String?

    @Option(parsing: .unconditional, help: "Hidden layer widths, comma-separated, or 'none' for no hidden layer: shorthand for --model (default: 512,256).")
    var layers: String?

    @Option(help: "Hidden-layer nonlinearity of the --layers shorthand: relu, sigmoid, tanh, gelu or silu (default: relu).")
    var activation: Activation?

    @Option(help: "Objective: cross-entropy (softmax over class labels) or mse (regression targets, or one-hot labels).")
    var loss: LossKind = .crossEntropy

    @Option(parsing: .unconditional, help: "Dropout after every hidden layer of the --layers shorthand (inverted dropout), in [0, 1) (default: 0).")
    var dropout: Double?

    @Option(name: .customLong("init"), help: ArgumentHelp(
        "Weight initialisation of every dense layer without its own init=: he, glorot, lecun or torch.",
        discussion: "torch: weights and biases uniform in ±1/√fan_in, as PyTorch's nn.Linear; glorot is Keras's default " +
            "(default: he before relu, glorot elsewhere and inside residual blocks)."))
    var initialization: Initialization?

    /// The layer list the flags spell, naming the bad part.
    func layerList() throws -> [LayerSpec] {
        guard let model else {
            let p = dropout ?? 0
            guard p >= 0 && p < 1 else {
                throw ValidationError("invalid --dropout '\(p)': expected a probability in [0, 1)")
            }
            return .shorthand(hiddenSizes: try hiddenSizes(), activation: activation ?? .relu, dropout: p)
        }
        for (flag, given) in [("layers", layers != nil), ("activation", activation != nil), ("dropout", dropout != nil)] where given {
            throw ValidationError("--model and --\(flag) exclude each other: write the \(flag) into the --model spec")
        }
        return try ModelSpecFile.layers(model)
    }

    /// Parses --layers, naming the bad part.
    func hiddenSizes() throws -> [Int] {
        let given = layers ?? "512,256"
        let text = given.trimmingCharacters(in: .whitespaces)
        if text == "none" { return [] }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            guard let width = Int(part.trimmingCharacters(in: .whitespaces)), width > 0, width <= 1 << 20 else {
                throw ValidationError("invalid --layers '\(given)': '\(part)' is not a layer width; " +
                                      "expected positive integers separated by commas, e.g. 512,256 (or 'none')")
            }
            return width
        }
    }
}

/// The optimizer, its schedule and clipping.
struct OptimizerOptions: ParsableArguments {
    @Option(help: "Update rule: sgd, momentum, adam or adamw.")
    var optimizer: OptimizerKind = .adam

    @Option(parsing: .unconditional, help: "Learning rate (the peak rate under a schedule).")
    var lr = 0.001

    @Option(parsing: .unconditional, help: "Weight decay λ (L2 for sgd/momentum/adam, decoupled for adamw); weights only, not biases.")
    var weightDecay = 0.0

    @Option(parsing: .unconditional, help: "Momentum μ for --optimizer momentum.")
    var momentum = 0.9

    @Flag(help: "Use Nesterov momentum with --optimizer momentum.")
    var nesterov = false

    @Option(parsing: .unconditional, help: "Adam's β1.")
    var beta1 = 0.9

    @Option(parsing: .unconditional, help: "Adam's β2.")
    var beta2 = 0.999

    @Option(help: "Learning-rate schedule: constant, step (×gamma every --step-epochs) or cosine (with --warmup-steps).")
    var schedule: ScheduleName = .constant

    @Option(parsing: .unconditional, help: "For --schedule step: epochs between decays.")
    var stepEpochs = 10

    @Option(parsing: .unconditional, help: "For --schedule step: factor applied at each decay.")
    var gamma = 0.1

    @Option(parsing: .unconditional, help: "For --schedule cosine: steps of linear warm-up from 0.")
    var warmupSteps = 0

    @Option(parsing: .unconditional, help: "For --schedule cosine: the final learning rate.")
    var minLr = 0.0

    @Option(parsing: .unconditional, help: "Rescale gradients to this global L2 norm when larger (default: no clipping).")
    var clipNorm: Double?

    var optimizerConfig: OptimizerConfig {
        OptimizerConfig(kind: optimizer, learningRate: lr, weightDecay: weightDecay, momentum: momentum,
                        nesterov: nesterov, beta1: beta1, beta2: beta2)
    }

    var scheduleConfig: LearningRateSchedule {
        switch schedule {
        case .constant: return .constant
        case .step: return .step(everyEpochs: stepEpochs, gamma: gamma)
        case .cosine: return .cosine(warmupSteps: warmupSteps, minimum: minLr)
        }
    }

    func validateBetas() throws {
        for (name, value) in [("beta1", beta1), ("beta2", beta2)] where !(value >= 0 && value < 1) {
            throw ValidationError("invalid --\(name) '\(value)': expected a number in [0, 1)")
        }
    }
}

/// How many workers share each step.
struct WorkerOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Worker threads sharing each step (default: all cores). Any count gives the same results for the same --shards.")
    var workers: Int?

    /// Largest worker count accepted; beyond it a typo is likelier than a machine.
    static let limit = 1024

    func validateWorkers() throws {
        if let workers, workers < 1 || workers > Self.limit {
            throw ValidationError("invalid --workers '\(workers)': expected a count from 1 to \(Self.limit)")
        }
    }

    /// The worker count to use, warning when it exceeds the cores (this rank's share of the
    /// host's cores under mpirun).
    func resolved() -> Int {
        let cores = World.coresPerRank
        let count = workers ?? cores
        if count > cores {
            note("spindle: warning: --workers \(count) is more than the \(cores) cores available; " +
                 "results are the same, but slower than --workers \(cores)")
        }
        return count
    }
}
