import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// `CSVTableImporter`: column kinds, missing cells, one-hot vocabularies, class names, the schema
/// stored in the file and applied to raw rows, streaming in blocks, and the errors.
struct CSVTableImporterTests {

    /// What an imported file holds, read back with HDF5Kit.
    struct Imported {
        var x: [Float], y: [Int64], testX: [Float], testY: [Int64], schema: TableSchema, report: CSVTableImporter.Report
    }

    static func importing(_ train: String, test: String? = nil, _ options: TableImportOptions = TableImportOptions(),
                          in directory: TemporaryDirectory) throws -> Imported {
        let trainPath = try directory.write("train.csv", text: train)
        let testPath = try test.map { try directory.write("test.csv", text: $0) }
        let output = directory.path("out.h5")
        let report = try CSVTableImporter.importTables(train: trainPath, test: testPath, options: options, to: output)
        let file = try H5File.open(output)
        let json = try file.stringAttribute("table_schema")
        let schema = try JSONDecoder().decode(TableSchema.self, from: Data(json.utf8))
        let hasTest = file.exists("test/x")
        return Imported(x: try file.openDataset("train/x").readAll(), y: try file.openDataset("train/y").readAll(),
                        testX: hasTest ? try file.openDataset("test/x").readAll() : [],
                        testY: hasTest ? try file.openDataset("test/y").readAll() : [], schema: schema, report: report)
    }

    static let people = """
        age,workclass,hours,income
        39,State-gov,40,<=50K
        50,Private,,>50K
        38,Private,40,<=50K
        NA,Private,45,>50K
        28,?,41,<=50K
        37,"Self, emp",80,>50K

        """

    @Test func wordsBecomeCategoriesAndClassesMissingCellsAreFilled() throws {
        let directory = try TemporaryDirectory()
        let test = "age,workclass,hours,income\n31,Never-worked,40,<=50K\n45,Private,N/A,>50K\n"
        let imported = try Self.importing(Self.people, test: test, TableImportOptions(csv: CSVOptions(labelColumn: "income")),
                                          in: directory)
        let schema = imported.schema
        #expect(schema.columns.map(\.kind) == [.numeric, .categorical, .numeric, .target])
        // Medians of the training cells present: age (28, 37, 38, 39, 50) → 38; hours
        // (40, 40, 41, 45, 80) → 41.
        #expect(schema.columns[0].fill == 38 && schema.columns[2].fill == 41)
        // Most frequent first, ties in byte order; '?' is missing, not a category.
        #expect(schema.columns[1].categories == ["Private", "Self, emp", "State-gov"])
        #expect(schema.targets == .classNames(["<=50K", ">50K"]))
        #expect(schema.featureNames == ["age", "workclass=Private", "workclass=Self, emp", "workclass=State-gov",
                                        "workclass=<missing>", "workclass=<other>", "hours"])
        #expect(imported.x == [
            39, 0, 0, 1, 0, 0, 40,
            50, 1, 0, 0, 0, 0, 41,
            38, 1, 0, 0, 0, 0, 40,
            38, 1, 0, 0, 0, 0, 45,
            28, 0, 0, 0, 1, 0, 41,
            37, 0, 1, 0, 0, 0, 80,
        ])
        #expect(imported.y == [0, 1, 0, 1, 0, 1])
        // The test file: an unseen category goes to <other> (and is reported), N/A is filled.
        #expect(imported.testX == [31, 0, 0, 0, 0, 1, 40, 45, 1, 0, 0, 0, 0, 41])
        #expect(imported.testY == [0, 1])
        #expect(imported.report.warnings == [
            "\(directory.path("test.csv")): column 'workclass': 1 value not among the training categories mapped to '<other>' (e.g. 'Never-worked')",
        ])
    }

    @Test func theSchemaEncodesRawRowsAsTheImportDid() throws {
        let directory = try TemporaryDirectory()
        let test = "age,workclass,hours,income\n31,Never-worked,40,<=50K\n45,Private,N/A,>50K\n"
        let imported = try Self.importing(Self.people, test: test, TableImportOptions(csv: CSVOptions(labelColumn: "income")),
                                          in: directory)
        let encoded = try imported.schema.encode(rows: [["31", "Never-worked", "40", "<=50K"], ["45", "Private", "N/A", ">50K"]],
                                                 hasTargets: true)
        #expect(encoded.features == imported.testX && encoded.labels == imported.testY && encoded.unseenCategories == 1)
        // Without the label column, as `predict` will see a raw CSV.
        #expect(try imported.schema.encode(row: ["45", "Private", ""]) == Array(imported.testX[7...]))
        let error = #expect(throws: ImportError.self) { try imported.schema.encode(row: ["x", "Private", "1"]) }
        #expect(error?.description == "rows line 1, column 1 (age): 'x' is not a number (the column is numeric in training)")
        // Codable and Equatable, for embedding in a model file.
        let json = try JSONEncoder().encode(imported.schema)
        #expect(try JSONDecoder().decode(TableSchema.self, from: json) == imported.schema)
    }

    @Test func optionsOverrideDetection() throws {
        let directory = try TemporaryDirectory()
        let csv = "id,zip,score,note,y\n1,7001,0.5,a,0\n2,7002,1.5,b,1\n3,7001,2.5,c,0\n"
        var options = TableImportOptions(categorical: ["zip"], ignore: ["id", "note"], missingIndicators: true)
        let imported = try Self.importing(csv, options, in: directory)
        #expect(imported.schema.columns.map(\.kind) == [.ignored, .categorical, .numeric, .ignored, .target])
        #expect(imported.x == [1, 0, 0, 0, 0.5, 0, 1, 0, 0, 1.5, 1, 0, 0, 0, 2.5])
        #expect(imported.schema.targets == .classIndices)

        options = TableImportOptions(numeric: ["note"])
        let error = #expect(throws: ImportError.self) { try Self.importing(csv, options, in: directory) }
        #expect(error?.description == "\(directory.path("train.csv")) line 2, column 4 (note): 'a' is not a number (the column is --numeric)")
    }

    @Test func missingIndicatorsAndMaxCategories() throws {
        let directory = try TemporaryDirectory()
        let csv = "a,c,y\n1,x,0\n,x,1\n3,y,0\n4,z,1\n5,x,0\n"
        let imported = try Self.importing(csv, TableImportOptions(missingIndicators: true, maxCategories: 1), in: directory)
        #expect(imported.schema.columns[0].fill == 3.5)  // median of 1, 3, 4, 5
        #expect(imported.schema.columns[1].categories == ["x"])
        #expect(imported.schema.featureNames == ["a", "a=<missing>", "c=x", "c=<missing>", "c=<other>"])
        #expect(imported.x == [1, 0, 1, 0, 0, 3.5, 1, 1, 0, 0, 3, 0, 0, 0, 1, 4, 0, 0, 0, 1, 5, 0, 1, 0, 0])
        #expect(imported.report.warnings.isEmpty, "rare training categories are not 'unseen'")
    }

    /// Past the values kept for exact medians, the fill comes from the histogram: within 2^-8 of
    /// the true median relatively, and exact when the median's bin holds it alone at its centre.
    @Test func medianOfMoreValuesThanKeptIsCloseToTheTrueOne() throws {
        let directory = try TemporaryDirectory()
        // 1001 values 1000.0 … 2000.0, one missing cell: the true median is 1500.
        let csv = "a,y\n" + (0...1000).map { "\(1000 + $0).25,\($0 % 2)" }.joined(separator: "\n") + "\n,1\n"
        var options = TableImportOptions()
        options.exactMedianValues = 100
        let fill = try #require(try Self.importing(csv, options, in: directory).schema.columns[0].fill)
        #expect(abs(fill - 1500.25) <= 1500.25 / 256, "\(fill)")
        options.exactMedianValues = 1 << 23
        #expect(try Self.importing(csv, options, in: directory).schema.columns[0].fill == 1500.25)
    }

    /// An all-numeric file gives the numeric reader's arrays, so existing imports do not change.
    @Test func allNumericFilesImportAsBefore() throws {
        let directory = try TemporaryDirectory()
        let csv = "f1;f2;label\n0.1;2e3;1\n-4;5.25;0\n7;8;2\n"
        let options = CSVOptions(separator: ";")
        let imported = try Self.importing(csv, TableImportOptions(csv: options), in: directory)
        let before = try CSVReader.read(directory.path("train.csv"), options: options).table
        guard case .float32(let x) = before.features, case .labels(let y) = before.targets else {
            Issue.record("numeric reader gave \(before)")
            return
        }
        #expect(imported.x == x && imported.y == y)
    }

    /// Blocks of a few bytes cut records, quoted fields holding line ends, and CRLFs anywhere:
    /// the rows and line numbers are those of reading the file whole.
    @Test(arguments: [7, 16, 61])
    func smallBlocksGiveTheSameTable(blockBytes: Int) throws {
        let directory = try TemporaryDirectory()
        let csv = "n,w,y\r\n1.5,\"two\r\nlines\",a\r\n2,plain,b\r\n\r\n3,\"q\"\"uote\",a\r\n4,plain,b\r\n"
        let whole = try Self.importing(csv, in: directory)
        var options = TableImportOptions()
        options.readBlockBytes = blockBytes
        // Every block on its own thread, all on one, or some on each: the same table.
        for workers in [1, 2, 3] {
            options.workers = workers
            let blocks = try Self.importing(csv, options, in: directory)
            #expect(blocks.x == whole.x && blocks.y == whole.y && blocks.schema == whole.schema, "\(workers) workers")
        }
        #expect(whole.schema.columns[1].categories == ["plain", "q\"uote", "two\r\nlines"])
        let ragged = csv + "5,x\r\n"
        let error = #expect(throws: ImportError.self) { try Self.importing(ragged, options, in: directory) }
        #expect(error?.description == "\(directory.path("train.csv")) line 8: 2 fields, expected 3 like the first row")
    }

    /// A gzip file is read in order on one thread (its blocks cannot be read out of order): the
    /// same table as the plain file read on every core.
    @Test func aGzipTableImportsLikeThePlainOne() throws {
        let directory = try TemporaryDirectory()
        var csv = "n,w,y\n"
        for r in 0..<400 { csv += "\(r % 7 == 0 ? "NA" : "\(Double(r) / 4)"),\(["a", "b", "\"c,d\""][r % 3]),\(r % 2)\n" }
        var options = TableImportOptions()
        options.readBlockBytes = 512
        let plain = try Self.importing(csv, options, in: directory)
        let gzipped = try directory.writeGzip("train.csv.gz", bytes: Array(csv.utf8))
        let output = directory.path("gz.h5")
        _ = try CSVTableImporter.importTables(train: gzipped, test: nil, options: options, to: output)
        let file = try H5File.open(output)
        let x: [Float] = try file.openDataset("train/x").readAll()
        #expect(x == plain.x && plain.x.count == 400 * 6)
        #expect(try file.stringAttribute("table_schema") == String(decoding: try JSONEncoder.sorted.encode(plain.schema), as: UTF8.self))
    }

    @Test func tooManyCategoriesSuggestsMaxCategories() throws {
        let directory = try TemporaryDirectory()
        let csv = "city,y\n" + (0..<1001).map { "c\($0),\($0 % 2)" }.joined(separator: "\n") + "\n"
        let error = #expect(throws: ImportError.self) { try Self.importing(csv, in: directory) }
        #expect(error?.description == "\(directory.path("train.csv")) line 1002, column 1 (city): more than 1,000 distinct "
            + "values in a categorical column (pass --max-categories N to one-hot the N most frequent and map the rest "
            + "to '<other>', or --ignore city)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("out.h5")))
        let capped = try Self.importing(csv, TableImportOptions(maxCategories: 10), in: directory)
        #expect(capped.schema.featureCount == 12)
    }

    @Test func aNumberColumnThatTurnsToWordsBecomesCategorical() throws {
        let directory = try TemporaryDirectory()
        let csv = "grade,y\n1,0\n2,1\n1,0\nA,1\n"
        let imported = try Self.importing(csv, in: directory)
        #expect(imported.schema.columns[0].kind == .categorical)
        #expect(imported.schema.columns[0].categories == ["1", "2", "A"])
    }
}

extension JSONEncoder {
    /// Keys sorted, as the importer writes `table_schema`.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
