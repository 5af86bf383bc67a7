import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// User mistakes become one-line errors naming the operation, the path and HDF5's reason.
@Suite struct ErrorTests {
    @Test func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing.h5")
        let error = try #require(throws: HDF5Error.self) { try H5File.open(path) }
        #expect(error == HDF5Error(operation: "open file", path: path, message: "No such file or directory"))
        #expect(error.description == "cannot open file '\(path)': No such file or directory")
        #expect(!HDF5.isHDF5(path: path))
    }

    @Test func notAnHDF5File() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.txt")
        try Data("just some text, no superblock here\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: HDF5Error.self) { try H5File.open(path) }
        #expect(error.operation == "open file")
        #expect(error.path == path)
        #expect(error.message == "file signature not found (Not an HDF5 file)")
        #expect(!HDF5.isHDF5(path: path))
    }

    @Test func missingDatasetNamesThePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("data.h5")
        let file = try H5File.create(path)
        _ = try file.createGroup("train")
        #expect(HDF5.isHDF5(path: path))

        let error = try #require(throws: HDF5Error.self) { try file.openDataset("train/x") }
        #expect(error.operation == "open dataset")
        #expect(error.path == "\(path):/train/x")
        #expect(error.description.hasPrefix("cannot open dataset '\(path):/train/x': "))
        #expect(!error.description.contains("\n"))
        // Relative to a group, the reported path is still absolute.
        let fromGroup = try #require(throws: HDF5Error.self) { try file.openGroup("train").openDataset("y") }
        #expect(fromGroup.path == "\(path):/train/y")
    }

    @Test func createInMissingDirectory() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("no/such/dir/out.h5")
        let error = try #require(throws: HDF5Error.self) { try H5File.create(path) }
        #expect(error.description == "cannot create file '\(path)': No such file or directory")
    }

    @Test func createWithoutOverwriteKeepsTheExistingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("keep.h5")
        do {
            let file = try H5File.create(path)
            try file.setAttribute("keep", "me")
            try file.close()
        }
        let error = try #require(throws: HDF5Error.self) { try H5File.create(path) }
        #expect(error.description == "cannot create file '\(path)': File exists")
        #expect(try H5File.open(path).stringAttribute("keep") == "me")

        // With overwrite, the file is replaced by an empty one.
        let fresh = try H5File.create(path, overwrite: true)
        #expect(try fresh.attributeNames().isEmpty)
    }

    @Test func closeReportsAndIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("close.h5")
        let file = try H5File.create(path)
        try file.close()
        try file.close()
        #expect(throws: HDF5Error.self) { try file.flush() }
        #expect(HDF5.isHDF5(path: path))
    }

    @Test func libraryVersionLooksLikeAVersion() {
        let parts = HDF5.libraryVersion.split(separator: ".")
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { Int($0) != nil })
    }
}
