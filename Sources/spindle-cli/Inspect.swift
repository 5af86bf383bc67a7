import ArgumentParser
import Foundation
import HDF5Kit
import Spindle

/// `spindle inspect`: what a dataset, model or predictions file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what an HDF5 dataset or model file holds.")

    @Argument(help: "HDF5 file to describe.")
    var file: String

    @Option(help: "Also draw a model's first conv layer's filters to this SVG file (default: none).")
    var filters: String?

    func run() throws {
        try reportingErrors {
            let h5 = try DatasetReader.openFile(file)
            let isModel = h5.hasAttribute("format") && (try? h5.stringAttribute("format")) == ModelFile.format
            if isModel { try describeModel() }
            if let filters {
                guard isModel else { throw SpindleCLIError("--filters: '\(file)' is not a Spindle model file") }
                try drawFilters(to: filters)
            }
            print("\(file):")
            for name in try h5.attributeNames() where name != "config" {
                print("  @\(name) = \(attributeText(h5, name))")
            }
            try walk(h5, "", depth: 1)
        }
    }

    private func describeModel() throws {
        let model = try ModelFile.read(from: file)
        let network = model.network
        print("Spindle model \(network.spec.architecture): \(network.layout.parameterCount.grouped) parameters, " +
              "\(network.spec.loss.rawValue) loss")
        for line in network.spec.summaryLines { print("  \(line)") }
        let spec = network.spec
        if let image = spec.inputShape {
            let shape = spec.inputSampleShape.map(String.init).joined(separator: ", ")
            print("input \(image), \(spec.inputChannelsLast ? "channels-last" : "channels-first"): " +
                  "x [N, \(shape)] or [N, \(spec.inputCount)]")
        }
        if let scaling = network.featureScaling {
            print("standardised " + (scaling.channels == nil ? "per feature" : "per channel") + " (/model/standardize)")
        }
        guard let config = model.config else { return }
        print("trained \(model.steps.grouped) steps (\(model.epochs) epochs) with \(config.optimizer.kind.rawValue) " +
              "lr \(config.optimizer.learningRate), batch \(config.batchSize), " +
              "weight decay \(config.optimizer.weightDecay), seed \(config.seed)")
    }

    /// The first conv layer's weight (C, C_in, K, K) as a `FilterPicture`.
    private func drawFilters(to path: String) throws {
        let network = try ModelFile.read(from: file).network
        guard let group = network.layout.groups.first(where: { $0.kind == "conv" }), let weight = group.tensor("weight") else {
            throw SpindleCLIError("--filters: '\(file)' has no conv layer to draw")
        }
        let name = group.name(digits: network.layout.indexDigits)
        let title = "\(name): \(weight.shape[0]) filters of \(weight.shape[2])×\(weight.shape[3]) on \(weight.shape[1]) channel\(weight.shape[1] == 1 ? "" : "s")"
        let document = FilterPicture.svg(weight: network.values(weight), shape: weight.shape, title: title)
        try AtomicFile.write(to: path) { temporary in
            do {
                try document.write(toFile: temporary, atomically: false, encoding: .utf8)
            } catch {
                throw SpindleError.cannotWrite(path: path, reason: error.localizedDescription)
            }
        }
        print("wrote \(path) (\(name)'s \(weight.shape[0]) filters)")
    }

    private func walk(_ file: H5File, _ prefix: String, depth: Int) throws {
        let group = try file.openGroup(prefix.isEmpty ? "/" : prefix)
        let indent = String(repeating: "  ", count: depth)
        for name in try group.memberNames() {
            let path = prefix + "/" + name
            switch try file.objectKind(path) {
            case .group:
                print("\(indent)\(path)/")
                try walk(file, path, depth: depth + 1)
            case .dataset:
                let d = try file.openDataset(path)
                var line = "\(indent)\(path)  \(d.elementType.rawValue) \(d.shape)"
                if let chunks = d.chunkShape { line += "  chunks \(chunks)" }
                if !d.filters.isEmpty { line += "  \(d.filters.joined(separator: "+"))" }
                print(line)
                if d.elementType.isInteger, d.shape.count == 1, d.shape[0] <= 10_000_000 {
                    let values: [Int64] = try d.readAll()
                    if let low = values.min(), let high = values.max() {
                        print("\(indent)  values \(low)…\(high)")
                    }
                }
            default:
                print("\(indent)\(path)  (other object)")
            }
        }
    }

    private func attributeText(_ object: some H5Object, _ name: String) -> String {
        if let s = try? object.stringAttribute(name) { return s.count > 80 ? String(s.prefix(77)) + "…" : s }
        if let i = try? object.intAttribute(name) { return String(i) }
        if let d = try? object.doubleAttribute(name) { return String(d) }
        if let a = try? object.intArrayAttribute(name) { return "\(a)" }
        if let a = try? object.stringArrayAttribute(name) { return "\(a)" }
        return "…"
    }
}
