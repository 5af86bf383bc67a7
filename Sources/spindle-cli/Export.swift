import ArgumentParser
import Foundation
import Spindle

/// The file formats `spindle export` writes.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
    /// Keras 2's legacy HDF5 weights (`model.save_weights("x.h5")`), for `model.load_weights`.
    case keras
}

/// `spindle export`: a trained model's weights in another framework's file format.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a trained model's weights for another framework.",
        discussion: """
            --format keras writes the HDF5 layout of Keras 2's model.save_weights("x.h5").
            Build the Keras model printed on stderr (a Sequential, or a functional model with Add \
            layers for residual blocks) and call model.load_weights on the file.
            Feed it features as Spindle does: uint8 pixels divided by 255, and images
            channels-last, (N, H, W, C), as Keras takes them.
            """)

    @Argument(help: "Model file written by `spindle train --checkpoint-dir`.")
    var checkpoint: String

    @Option(help: "File format to write.")
    var format: ExportFormat = .keras

    @Option(name: [.short, .customLong("output")],
            help: "Output file, ending in .h5 or .hdf5 (replaced atomically if it exists).")
    var output: String

    func validate() throws {
        // Keras picks the reader by the file name: .h5 and .hdf5 get the legacy HDF5 reader this
        // layout is for, while Keras 3 reads *.weights.h5 as its own, different, format.
        if output.hasSuffix(".weights.h5") {
            throw ValidationError("--output '\(output)' ends in .weights.h5, which Keras 3 reads as its own newer " +
                                  "format; name it e.g. weights.h5")
        }
        guard output.hasSuffix(".h5") || output.hasSuffix(".hdf5") else {
            throw ValidationError("--output '\(output)' must end in .h5 or .hdf5, which Keras reads as HDF5 weights")
        }
    }

    func run() throws {
        try reportingErrors {
            let network = try ModelFile.read(from: checkpoint).network
            let spec = network.spec, scaling = network.featureScaling
            switch format {
            case .keras:
                try KerasExport.write(network, to: output)
                // Keras's images are (H, W, C): a channels-first dataset's images need their axes moved.
                let feed = spec.inputShape == nil ? "" : spec.inputChannelsLast
                    ? "; images (N, H, W, C), as this model's data"
                    : "; images (N, H, W, C): x.reshape(-1, \(spec.inputShape!.flag)).transpose(0, 2, 3, 1) of this model's (C, H, W)"
                let program = KerasExport.kerasProgram(spec, scaling: scaling, weights: output)
                note("spindle: wrote Keras weights of the \(spec.architecture) model to \(output); load them with\n" +
                     (program + ["# feed it features as Spindle does: uint8 pixels divided by 255\(feed)"])
                        .map { "  " + $0 }.joined(separator: "\n"))
            }
        }
    }
}
