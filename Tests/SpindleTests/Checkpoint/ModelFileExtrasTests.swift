import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// The optional parts of a version 2 model file: the table schema and class names a model keeps
/// from its dataset, and early stopping's state; files without them read as before.
@Suite struct ModelFileExtrasTests {
    static func schema() -> TableSchema {
        var schema = TableSchema(columns: [.init(name: "age", kind: .numeric, fill: 38),
                                           .init(name: "work", kind: .categorical, categories: ["a", "b"]),
                                           .init(name: "y", kind: .target)],
                                 targets: .classNames(["no", "yes"]), missingValues: ["", "NA"])
        schema.header = true
        schema.delimiter = ";"
        return schema
    }

    @Test func theSchemaClassNamesAndEarlyStoppingRoundTrip() throws {
        let scratch = try TemporaryDirectory()
        let spec = ModelSpec(inputCount: 5, hiddenSizes: [4], outputCount: 2, activation: .relu, loss: .crossEntropy)
        let network = Network(spec: spec, seed: 1)
        var state = EarlyStopping.State()
        state.bestEpoch = 3
        state.bestValue = 0.25
        state.epochsWithoutImprovement = 2
        state.bestParameters = network.parameters.array().map { $0 + 1 }
        var config = TrainingConfig(hiddenSizes: [4], epochs: 9, earlyStopping: EarlyStoppingConfig(patience: 4))
        config.classWeights = .given([1, 2.5])
        let written = ModelFile(network: network, config: config, steps: 40, epochs: 5, tableSchema: Self.schema(),
                                classNames: ["no", "yes"], earlyStopping: state)
        try written.write(to: scratch.path("m.h5"))
        let read = try ModelFile.read(from: scratch.path("m.h5"))
        #expect(read.tableSchema == Self.schema() && read.classNames == ["no", "yes"])
        #expect(read.earlyStopping == state && read.config == config)

        // h5py reads them without Spindle.
        let python = try expectPython("""
            import sys, json, h5py
            f = h5py.File(sys.argv[1], "r")
            e = f["early_stopping"]
            print(json.loads(f.attrs["table_schema"])["delimiter"], list(f.attrs["class_names"]), e.attrs["monitor"],
                  e.attrs["best_epoch"], e["best_parameters"].shape == (\(network.layout.parameterCount),))
            """, [scratch.path("m.h5")], in: scratch.url)
        #expect(python.stdout == "; ['no', 'yes'] val_loss 3 True\n", "\(python.stderr)")

        // A model file with the best weights restored leaves the copy out.
        state.restored = true
        try ModelFile(network: network, config: config, steps: 40, epochs: 5, earlyStopping: state)
            .write(to: scratch.path("restored.h5"))
        #expect(!(try H5File.open(scratch.path("restored.h5")).exists("early_stopping/best_parameters")))
        #expect(try ModelFile.read(from: scratch.path("restored.h5")).earlyStopping?.bestParameters == nil)

        // A schema that does not make the network's features is refused by name.
        var wrong = Self.schema()
        wrong.columns.removeFirst()
        try ModelFile(network: network, config: nil, tableSchema: wrong).write(to: scratch.path("wrong.h5"))
        #expect { try ModelFile.read(from: scratch.path("wrong.h5")) } throws: { error in
            "\(error)" == "\(scratch.path("wrong.h5")): its table_schema makes 4 features, but the network takes 5"
        }
    }
}
