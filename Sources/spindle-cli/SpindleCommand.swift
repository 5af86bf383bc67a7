import ArgumentParser

/// `spindle`: the root command; each concern is a subcommand.
struct SpindleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spindle",
        abstract: "Train dense neural networks on HDF5 datasets, on every CPU core.",
        discussion: """
            With no file, `spindle train` trains on the small Fashion-MNIST sample bundled in data/.
            Dataset files hold /train/x [N, F] and /train/y [N] (and /test/...); `spindle import`
            makes them from IDX, CSV and NPY files.
            """,
        version: BuildInfoVersion.text,
        subcommands: [Train.self, Eval.self, Predict.self, Scale.self, Plot.self, Inspect.self, Import.self, Export.self, Synth.self]
    )
}
