import Foundation

/// The learning curves of a training run, read from the JSON-lines file `spindle train --log`
/// writes (one object per line; `{"event": "epoch", "epoch", "trainLoss", "trainAccuracy",
/// "validation": {"loss", "accuracy", …}, …}` per epoch; other events are skipped), and drawn as
/// a loss chart and, when the run has accuracies (classification), an accuracy chart.
public struct TrainingCurves: Sendable {
    /// One epoch's numbers; nil where the run had none (no validation split, regression).
    public struct Epoch: Equatable, Sendable {
        public var epoch: Int
        public var trainLoss: Double
        public var trainAccuracy: Double?
        public var validationLoss: Double?
        public var validationAccuracy: Double?
    }

    /// The epoch lines in file order.
    public var epochs: [Epoch]

    /// Parses a log's text. `source` names the file in errors ("run.jsonl:3: …").
    /// - Throws: `SpindleError.invalidData` for a line that is not a JSON object (naming its
    ///   1-based number), an epoch line without a number for "epoch" or "trainLoss", or a log
    ///   with no epoch lines.
    public init(log text: String, source: String) throws {
        epochs = []
        for (location, object) in try LogEpochLines.parse(text, source: source) {
            guard let epoch = Self.number(object["epoch"]), let trainLoss = Self.number(object["trainLoss"]) else {
                throw SpindleError.invalidData(location: location,
                                               problem: "epoch line without numeric \"epoch\" and \"trainLoss\"")
            }
            let validation = object["validation"] as? [String: Any]
            epochs.append(Epoch(epoch: Int(epoch), trainLoss: trainLoss,
                                trainAccuracy: Self.number(object["trainAccuracy"]),
                                validationLoss: Self.number(validation?["loss"]),
                                validationAccuracy: Self.number(validation?["accuracy"])))
        }
        guard !epochs.isEmpty else {
            throw SpindleError.invalidData(location: source,
                                           problem: "has no epoch lines; expected a log written by `spindle train --log`")
        }
    }

    /// A JSON number as Double; null (a non-finite loss is logged as null) and other types are nil.
    /// (No `is Bool` test to reject true/false: on Linux every NSNumber, 1 included, casts to Bool.)
    private static func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }

    /// Training (solid) and validation (dashed) curves of one quantity; a series with no values
    /// is left out.
    private func chart(title: String, label: String, train: (Epoch) -> Double?,
                       validation: (Epoch) -> Double?) -> SVGPlot {
        func points(_ value: (Epoch) -> Double?) -> [(x: Double, y: Double)] {
            epochs.compactMap { e in value(e).map { (x: Double(e.epoch), y: $0) } }
        }
        let series = [SVGPlot.Series(name: "training \(label)", points: points(train)),
                      SVGPlot.Series(name: "validation \(label)", points: points(validation), style: .dashed)]
        return SVGPlot(title: title, x: .init(label: "epoch", integer: true), y: .init(label: label),
                       series: series.filter { !$0.points.isEmpty })
    }

    /// Loss against epoch: training (solid) and, when logged, validation (dashed).
    public var lossPlot: SVGPlot {
        chart(title: "Loss", label: "loss", train: \.trainLoss, validation: \.validationLoss)
    }

    /// Accuracy against epoch, as `lossPlot`; nil when the log has no accuracies (regression).
    public var accuracyPlot: SVGPlot? {
        guard epochs.contains(where: { $0.trainAccuracy != nil || $0.validationAccuracy != nil }) else { return nil }
        return chart(title: "Accuracy", label: "accuracy", train: \.trainAccuracy, validation: \.validationAccuracy)
    }

    /// The charts to draw: loss, then accuracy when there is one.
    public var plots: [SVGPlot] { [lossPlot] + (accuracyPlot.map { [$0] } ?? []) }
}
