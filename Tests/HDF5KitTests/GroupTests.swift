import HDF5Kit
import SpindleTestSupport
import Testing

/// Creating, finding and listing groups and their members.
@Suite struct GroupTests {
    @Test func createsNestedGroupsAndDatasets() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("groups.h5")
        let file = try H5File.create(path)
        #expect(file.path == path)

        let layer = try file.createGroup("model/dense_1")
        #expect(layer.path == "/model/dense_1")
        #expect(layer.filePath == path)
        // Datasets create their missing parents too.
        let kernel = try layer.createDataset("kernel", type: .float32, shape: [3, 2])
        #expect(kernel.path == "/model/dense_1/kernel")
        _ = try file.createDataset("train/x", type: .uint8, shape: [1, 1])
        _ = try file.createDataset("train/y", type: .int64, shape: [1])

        #expect(try file.memberNames() == ["model", "train"])
        #expect(try file.openGroup("train").memberNames() == ["x", "y"])
        #expect(try file.openGroup("/model").openGroup("dense_1").memberNames() == ["kernel"])
        #expect(try file.objectKind("model") == .group)
        #expect(try file.objectKind("/train/x") == .dataset)
        #expect(try layer.objectKind("kernel") == .dataset)
    }

    @Test func existsAnswersForNestedAndMissingPaths() throws {
        let directory = try TemporaryDirectory()
        let file = try H5File.create(directory.path("exists.h5"))
        let train = try file.createGroup("train")
        _ = try train.createDataset("x", type: .float32, shape: [2, 2])

        #expect(file.exists("train"))
        #expect(file.exists("train/x"))
        #expect(file.exists("/train/x"))
        #expect(file.exists("/"))
        #expect(train.exists("x"))
        #expect(!file.exists("test"))
        // Missing intermediate group, and a path through a dataset: "no", not an error.
        #expect(!file.exists("test/x"))
        #expect(!file.exists("train/x/deeper"))
        #expect(!train.exists("y"))
    }

    @Test func openingOrCreatingTheWrongThingThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("wrong.h5")
        let file = try H5File.create(path)
        _ = try file.createGroup("g")

        let duplicate = try #require(throws: HDF5Error.self) { try file.createGroup("g") }
        #expect(duplicate.path == "\(path):/g")
        #expect(duplicate.message.contains("already exists"))

        let missing = try #require(throws: HDF5Error.self) { try file.openGroup("nope/deeper") }
        #expect(missing.description.hasPrefix("cannot open group '\(path):/nope/deeper': "))

        let kind = try #require(throws: HDF5Error.self) { try file.objectKind("nope") }
        #expect(kind.path == "\(path):/nope")
    }
}
