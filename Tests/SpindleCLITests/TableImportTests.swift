import Foundation
import SpindleTestSupport
import Testing

/// `spindle import csv` on real tables: words, categories and missing cells import, train with
/// --standardize and evaluate with class names and binary metrics; h5py reads the schema; user
/// mistakes give one line and leave nothing behind.
@Suite struct TableImportTests {
    /// 300 training and 100 test rows: income is >50K mostly for long hours and some workclasses;
    /// a few cells are empty, NA or '?'.
    static func writePeople(_ scratch: TemporaryDirectory) throws {
        try python("""
            rng = np.random.default_rng(7)
            work = np.array(["Private", "Self-emp", "State-gov", "Never-worked"])
            def write(name, n):
                with open(name, "w") as f:
                    f.write("age,workclass,hours,income\\n")
                    for i in range(n):
                        w = rng.choice(4, p=[0.6, 0.2, 0.15, 0.05])
                        hours = rng.uniform(10, 80)
                        rich = hours + 15 * (w == 1) + rng.normal(0, 8) > 50
                        age = "NA" if i % 17 == 0 else f"{rng.integers(18, 70)}"
                        hours_text = "" if i % 23 == 0 else f"{hours:.1f}"
                        work_text = "?" if i % 19 == 0 else work[w]
                        f.write(f"{age},{work_text},{hours_text},{'>50K' if rich else '<=50K'}\\n")
            write("people.csv", 300)
            write("people_test.csv", 100)
            """, in: scratch)
    }

    @Test func aTableWithWordsImportsTrainsAndEvaluatesWithClassNames() throws {
        let scratch = try TemporaryDirectory()
        try Self.writePeople(scratch)
        let imported = try spindleSucceeds(["import", "csv", "people.csv", "--test", "people_test.csv",
                                            "--label-column", "income", "--missing-indicators", "-o", "people.h5"], in: scratch)
        #expect(imported.stderrLines.last == "spindle: wrote people.h5 (/train: 300 rows × 10 features; /test: 100 rows × 10 features)",
                "\(imported.transcript)")
        // The schema is plain JSON and arrays that h5py reads without Spindle.
        let schema = try python("""
            import json
            with h5py.File("people.h5", "r") as f:
                s = json.loads(f.attrs["table_schema"])
                print([c["kind"] for c in s["columns"]], s["targets"]["names"])
                print(list(f["meta"].attrs["feature_names"])[:3], f["train/x"].shape, f["meta/fill_values"][0] > 17)
            """, in: scratch)
        #expect(schema.stdoutLines == ["['numeric', 'categorical', 'numeric', 'target'] ['<=50K', '>50K']",
                                       "['age', 'age=<missing>', 'workclass=Private'] (300, 10) True"], "\(schema.transcript)")

        // The snippet in docs/dataset-format.md runs as it is on this file.
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/dataset-format.md"), encoding: .utf8)
        let snippet = try #require(doc.components(separatedBy: "```python\n").dropFirst().first?
            .components(separatedBy: "```").first, "docs/dataset-format.md has a python snippet")
        try python(snippet + "\nassert x.shape == (300, len(names)) and classes == ['<=50K', '>50K']\n", in: scratch)

        let model = try trainModel(on: "people.h5", in: scratch, ["--layers", "16", "--epochs", "30", "--standardize",
                                                                   "--batch-size", "32"])
        let eval = try spindleSucceeds(["eval", model, "people.h5"], in: scratch)
        #expect(eval.stdout.contains("<=50K"), "\(eval.transcript)")
        let binary = try #require(eval.stdoutLines.first { $0.hasPrefix("class 1 (>50K) as positive: roc_auc ") }, "\(eval.transcript)")
        let auc = try #require(Double(binary.split(separator: " ")[6]), "\(binary)")
        #expect(auc > 0.8, "\(binary)")
        let json = try jsonObject(try spindleSucceeds(["eval", model, "people.h5", "--json"], in: scratch).stdoutLines.last ?? "")
        let metrics = try #require(json["binary"] as? [String: Any], "\(json)")
        #expect((metrics["rocAUC"] as? Double).map { abs($0 - auc) < 1e-4 } == true)
        #expect(Set(metrics.keys) == ["rocAUC", "prAUC", "precision", "recall", "f1"])
    }

    /// Each mistake: exit 1 and exactly one line on stderr (a flag the parser refuses: exit 64, the
    /// line, then only its usage hint), and no output file.
    @Test(arguments: [
        BadTable(name: "ragged row", csv: "a,b,y\n1,2,0\n3,0\n", flags: [],
                 line: "spindle: t.csv line 3: 2 fields, expected 3 like the first row"),
        BadTable(name: "no such label column", csv: "a,b,y\n1,2,0\n", flags: ["--label-column", "income"],
                 line: "spindle: t.csv line 1: no column named 'income' in the header (found 'a', 'b', 'y')"),
        BadTable(name: "unknown --ignore column", csv: "a,b,y\n1,2,0\n", flags: ["--ignore", "c"],
                 line: "spindle: t.csv: --ignore: no column named 'c' (found 'a', 'b', 'y')"),
        BadTable(name: "a float label", csv: "a,y\n1,0.5\n2,1\n", flags: [],
                 line: "spindle: t.csv line 2, column 2 (y): '0.5' is not an integer class label "
                     + "(expected 0, 1, 2, …; pass --regression 1 for a real-valued target)"),
        BadTable(name: "quote never closed", csv: "a,y\n\"1,0\n", flags: [],
                 line: "spindle: t.csv line 2, column 1: quoted field never ends (expected a closing '\"')"),
        BadTable(name: "bad delimiter", csv: "a,y\n1,0\n", flags: ["--delimiter", "ab"],
                 line: "Error: invalid --delimiter 'ab': expected one ASCII character such as ',', ';' or '|', or 'tab'"),
    ])
    func mistakesGiveOneLine(_ bad: BadTable) throws {
        let scratch = try TemporaryDirectory()
        try bad.csv.write(toFile: scratch.path("t.csv"), atomically: true, encoding: .utf8)
        let result = try spindle(["import", "csv", "t.csv", "-o", "t.h5"] + bad.flags, in: scratch)
        if bad.line.hasPrefix("Error: ") {
            #expect(result.status == 64 && result.stderrLines.first == bad.line, "\(result.transcript)")
        } else {
            #expect(result.status == 1 && result.stderrLines == [bad.line], "\(result.transcript)")
        }
        #expect(!scratch.exists("t.h5"))
    }

    /// A column of a million distinct words (an identifier): the error comes at the 1,001st and
    /// suggests --max-categories; with it the column imports.
    @Test func aMillionDistinctCategoriesSuggestMaxCategories() throws {
        let scratch = try TemporaryDirectory()
        try python("""
            with open("ids.csv", "w") as f:
                f.write("id,x,y\\n")
                f.writelines(f"u{i},{i % 7},{i % 2}\\n" for i in range(1_000_000))
            """, in: scratch)
        let result = try spindle(["import", "csv", "ids.csv", "-o", "ids.h5"], in: scratch)
        #expect(result.status == 1 && result.stderrLines == [
            "spindle: ids.csv line 1002, column 1 (id): more than 1,000 distinct values in a categorical column "
                + "(pass --max-categories N to one-hot the N most frequent and map the rest to '<other>', or --ignore id)",
        ], "\(result.transcript)")
        #expect(!scratch.exists("ids.h5"))
        try spindleSucceeds(["import", "csv", "ids.csv", "--max-categories", "5", "-o", "ids.h5"], in: scratch)
    }
}

struct BadTable: CustomTestStringConvertible, Sendable {
    var name: String
    var csv: String
    var flags: [String]
    var line: String
    var testDescription: String { name }
}
