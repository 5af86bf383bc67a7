import HDF5Kit
import SpindleTestSupport
import Testing

/// Every attribute kind round-trips on files, groups and datasets; setting replaces; type
/// mismatches throw errors that say what was found.
@Suite struct AttributeTests {
    /// The three kinds of attribute holders, to run each test on all of them.
    enum Holder: String, CaseIterable {
        case file, group, dataset
    }

    private func makeHolder(_ holder: Holder, in file: H5File) throws -> any H5Object {
        switch holder {
        case .file: file
        case .group: try file.createGroup("g")
        case .dataset: try file.createDataset("d", type: .float32, shape: [2])
        }
    }

    @Test(arguments: Holder.allCases)
    func everyKindRoundTrips(holder: Holder) throws {
        let directory = try TemporaryDirectory()
        let file = try H5File.create(directory.path("attributes.h5"))
        let object = try makeHolder(holder, in: file)

        try object.setAttribute("text", "héllo, wörld")
        try object.setAttribute("fixed", "keras", fixedLength: true)
        try object.setAttribute("count", 42)
        try object.setAttribute("negative", Int.min)
        try object.setAttribute("rate", 0.001)
        try object.setAttribute("shape", [60000, 784])
        try object.setAttribute("means", [0.5, -1.25, .infinity])
        try object.setAttribute("names", ["dense_1", "dropout", "dénse_2"])
        try object.setAttribute("layer_names", ["dense_1", "dense_2", ""], fixedLength: true)
        try object.setAttribute("no_ints", [Int]())
        try object.setAttribute("no_strings", [String]())

        #expect(try object.stringAttribute("text") == "héllo, wörld")
        #expect(try object.stringAttribute("fixed") == "keras")
        #expect(try object.intAttribute("count") == 42)
        #expect(try object.intAttribute("negative") == Int.min)
        #expect(try object.doubleAttribute("rate") == 0.001)
        #expect(try object.doubleAttribute("count") == 42)
        #expect(try object.intArrayAttribute("shape") == [60000, 784])
        #expect(try object.doubleArrayAttribute("means") == [0.5, -1.25, .infinity])
        #expect(try object.stringArrayAttribute("names") == ["dense_1", "dropout", "dénse_2"])
        #expect(try object.stringArrayAttribute("layer_names") == ["dense_1", "dense_2", ""])
        #expect(try object.intArrayAttribute("no_ints") == [])
        #expect(try object.stringArrayAttribute("no_strings") == [])
        // Scalars read as one-element arrays.
        #expect(try object.intArrayAttribute("count") == [42])

        #expect(try object.attributeNames() == [
            "count", "fixed", "layer_names", "means", "names", "negative", "no_ints", "no_strings",
            "rate", "shape", "text",
        ])
        #expect(object.hasAttribute("rate"))
        #expect(!object.hasAttribute("missing"))
    }

    @Test(arguments: Holder.allCases)
    func settingReplacesAndDeleteRemoves(holder: Holder) throws {
        let directory = try TemporaryDirectory()
        let file = try H5File.create(directory.path("replace.h5"))
        let object = try makeHolder(holder, in: file)

        try object.setAttribute("value", 1)
        try object.setAttribute("value", 2)
        #expect(try object.intAttribute("value") == 2)
        // A new type and shape replace the old ones too.
        try object.setAttribute("value", ["a", "b"])
        #expect(try object.stringArrayAttribute("value") == ["a", "b"])
        #expect(try object.attributeNames() == ["value"])

        try object.deleteAttribute("value")
        #expect(!object.hasAttribute("value"))
        #expect(throws: HDF5Error.self) { try object.deleteAttribute("value") }
    }

    @Test func attributesPersistAcrossReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("persist.h5")
        do {
            let file = try H5File.create(path)
            try file.setAttribute("format_version", 1)
            try file.createDataset("model/w", type: .float32, shape: [1]).setAttribute("units", 128)
            try file.close()
        }
        let file = try H5File.open(path)
        #expect(try file.intAttribute("format_version") == 1)
        #expect(try file.openDataset("model/w").intAttribute("units") == 128)
    }

    @Test func wrongTypeOrShapeOrNameThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mismatch.h5")
        let file = try H5File.create(path)
        try file.setAttribute("name", "mnist")
        try file.setAttribute("rate", 0.5)
        try file.setAttribute("sizes", [1, 2])

        let notInt = try #require(throws: HDF5Error.self) { try file.intAttribute("name") }
        #expect(notInt.description == "cannot read attribute 'name' of '\(path)': found a variable-length string attribute, expected integer")
        let floatAsInt = try #require(throws: HDF5Error.self) { try file.intAttribute("rate") }
        #expect(floatAsInt.message == "found a float64 attribute, expected integer")
        let notString = try #require(throws: HDF5Error.self) { try file.stringAttribute("rate") }
        #expect(notString.message == "found a float64 attribute, expected a string")
        let notScalar = try #require(throws: HDF5Error.self) { try file.intAttribute("sizes") }
        #expect(notScalar.message == "found 2 values, expected one integer")
        let missing = try #require(throws: HDF5Error.self) { try file.doubleAttribute("lr") }
        #expect(missing.operation == "read attribute 'lr' of")
        #expect(missing.message.contains("can't locate attribute"))
    }
}
