import Foundation
import SpindleTestSupport
import Testing

/// A table from the shell, end to end: a CSV with word labels, a categorical column and NA cells
/// imports, trains with --standardize, early stopping and balanced class weights, and predicts
/// from the raw test CSV (its columns in another order, no label) with class names in the output;
/// `eval` reads the labelled CSV. Then the mistakes of the new flags and inputs, one line each.
@Suite struct TablesEndToEndTests {
    /// people.csv and people_test.csv (TableImportTests), people.h5 imported from them, and
    /// new_people.csv: the test rows as hours, age, workclass, without the income column.
    static func prepare(_ scratch: TemporaryDirectory) throws {
        try TableImportTests.writePeople(scratch)
        try python("""
            import csv
            rows = list(csv.reader(open("people_test.csv")))
            with open("new_people.csv", "w", newline="") as f:
                csv.writer(f).writerows([r[2], r[0], r[1]] for r in rows)
            """, in: scratch)
        try spindleSucceeds(["import", "csv", "people.csv", "--test", "people_test.csv", "--label-column", "income",
                             "-o", "people.h5"], in: scratch)
    }

    static let training = ["--layers", "16", "--epochs", "40", "--batch-size", "32", "--standardize",
                           "--val-fraction", "0.2", "--early-stopping", "5", "--class-weights", "balanced"]

    @Test func aRawTableTrainsAndPredictsWithClassNames() throws {
        let scratch = try TemporaryDirectory()
        try Self.prepare(scratch)
        let trained = try spindleSucceeds(["train", "people.h5", "--checkpoint-dir", "model", "--json"] + Self.training,
                                          in: scratch)
        let summary = try jsonObject(trained.stdoutLines.last ?? "")
        let best = try #require(summary["best_epoch"] as? Int, "\(trained.transcript)")
        #expect(best >= 1 && best <= (summary["epochs"] as? Int ?? 0))
        #expect(summary["monitor"] as? String == "val_loss")
        #expect((summary["test_roc_auc"] as? Double).map { $0 > 0.8 } == true, "\(summary)")
        for key in ["test_pr_auc", "test_precision", "test_recall", "test_f1", "best_val_loss"] {
            #expect(summary[key] is Double, "\(key) in \(summary)")
        }

        // The raw CSV, columns reordered and no label: names in the output, probabilities that
        // are those of the imported test split (the same rows, encoded by the same schema).
        let predicted = try spindleSucceeds(["predict", "model/model.h5", "new_people.csv", "-o", "predictions.csv"], in: scratch)
        #expect(predicted.stderrLines.last == "spindle: wrote predictions for 100 rows to predictions.csv")
        try spindleSucceeds(["predict", "model/model.h5", "people.h5", "-o", "predictions.h5"], in: scratch)
        let check = try python("""
            import csv
            rows = list(csv.reader(open("predictions.csv")))
            print(rows[0])
            with h5py.File("predictions.h5", "r") as f:
                names = list(f.attrs["class_names"])
                p = f["probabilities"][:]
                labels = f["labels"][:]
            body = rows[1:]
            print(names, len(body), set(r[0] for r in body) <= set(names))
            csv_p = np.array([[float(v) for v in r[1:]] for r in body], dtype=np.float32)
            print(np.array_equal(csv_p, p), [names[k] for k in labels] == [r[0] for r in body],
                  np.allclose(csv_p.sum(axis=1), 1, atol=1e-6))
            """, in: scratch)
        #expect(check.stdoutLines == ["['predicted', 'probability_<=50K', 'probability_>50K']",
                                      "['<=50K', '>50K'] 100 True", "True True True"], "\(check.transcript)")

        // eval on the labelled CSV reports what it reports on the imported test split, by name.
        let onCSV = try spindleSucceeds(["eval", "model/model.h5", "people_test.csv"], in: scratch)
        let onH5 = try spindleSucceeds(["eval", "model/model.h5", "people.h5"], in: scratch)
        #expect(Array(onCSV.stdoutLines.dropFirst()) == Array(onH5.stdoutLines.dropFirst()), "\(onCSV.transcript)\n\(onH5.transcript)")
        #expect(onCSV.stdoutLines.contains { $0.hasPrefix("class 1 (>50K) as positive: roc_auc ") }, "\(onCSV.transcript)")
        let confusion = onCSV.stdoutLines.drop { !$0.hasPrefix("confusion") }.dropFirst(2).prefix(2)
        #expect(confusion.count == 2 && confusion.first?.hasSuffix("  <=50K") == true && confusion.last?.hasSuffix("  >50K") == true,
                "\(onCSV.transcript)")
    }

    /// Each mistake: exit 1, exactly one line on stderr, and nothing written.
    @Test func mistakesGiveOneLineAndLeaveNothing() throws {
        let scratch = try TemporaryDirectory()
        try Self.prepare(scratch)
        try "age,workclass\n30,Private\n".write(toFile: scratch.path("no_hours.csv"), atomically: true, encoding: .utf8)
        try spindleSucceeds(["train", "people.h5", "--quiet", "--checkpoint-dir", "model", "--layers", "8", "--epochs", "1"],
                            in: scratch)
        let cases: [(arguments: [String], line: String, leaves: String)] = [
            (["predict", "model/model.h5", "no_hours.csv", "-o", "out.csv"],
             "spindle: no_hours.csv line 1: no column 'hours', which the model needs, in the header (found 'age', 'workclass')",
             "out.csv"),
            (["eval", "model/model.h5", "new_people.csv"],
             "spindle: new_people.csv line 1: no column 'income' (the model's target, which evaluation needs) in the header " +
                "(found 'hours', 'age', 'workclass')", ""),
            (["train", "people.h5", "--class-weights", "1,2,3", "--checkpoint-dir", "run"],
             "spindle: invalid --class-weights '1,2,3': expected 2 weights, one per class (found 3), or 'balanced'", "run"),
            (["train", "people.h5", "--early-stopping", "3", "--checkpoint-dir", "run", "--log", "run.jsonl"],
             "spindle: --early-stopping needs validation data, but people.h5 has no /val split; hold out part of the " +
                "training rows with --val-fraction (e.g. 0.1)", "run"),
            (["train", "people.h5", "--loss", "mse", "--class-weights", "balanced", "--checkpoint-dir", "run"],
             "Error: invalid --class-weights 'balanced': expected --loss cross-entropy (class weights weight each row's class)", "run"),
            (["train", "people.h5", "--monitor", "val_accuracy", "--checkpoint-dir", "run"],
             "Error: --monitor needs --early-stopping PATIENCE: the epochs without improvement to stop after", "run"),
        ]
        for (arguments, line, leaves) in cases {
            let result = try spindle(arguments, in: scratch)
            if line.hasPrefix("Error: ") {
                #expect(result.status == 64 && result.stderrLines.first == line, "\(result.transcript)")
            } else {
                #expect(result.status == 1 && result.stderrLines == [line], "\(result.transcript)")
            }
            if !leaves.isEmpty { #expect(!scratch.exists(leaves), "\(arguments) left \(leaves)") }
            #expect(!scratch.exists("run.jsonl"))
        }

        // A model trained on a dataset without a table schema cannot read a raw CSV.
        try SyntheticData(features: 3, classes: 2).write(to: scratch.path("plain.h5"))
        let plain = try trainModel(on: "plain.h5", in: scratch, directory: "plain")
        let result = try spindle(["predict", plain, "new_people.csv", "-o", "out.csv"], in: scratch)
        #expect(result.status == 1 && result.stderrLines == [
            "spindle: plain/model.h5 holds no table schema, so it cannot read the raw CSV new_people.csv: it was trained on " +
                "a dataset that `spindle import csv` did not make (give an HDF5 dataset instead)",
        ], "\(result.transcript)")
        #expect(!scratch.exists("out.csv"))
    }

    /// The log names the best epoch; the text summary says it and shows the binary metrics.
    @Test func theLogAndSummarySayWhichEpochTheModelIs() throws {
        let scratch = try TemporaryDirectory()
        try Self.prepare(scratch)
        let trained = try spindleSucceeds(["train", "people.h5", "--checkpoint-dir", "model", "--log", "run.jsonl"]
            + Self.training, in: scratch)
        let log = try String(contentsOfFile: scratch.path("run.jsonl"), encoding: .utf8).split(separator: "\n")
        let last = try jsonObject(String(log.last ?? ""))
        #expect(last["event"] as? String == "early_stopping" && last["monitor"] as? String == "val_loss", "\(last)")
        let best = try #require(last["best_epoch"] as? Int)
        #expect(trained.stderrLines.contains { $0.hasPrefix("early stopping: best val_loss ") && $0.hasSuffix(
            "the model holds epoch \(best)'s weights") }, "\(trained.transcript)")
        #expect(trained.stdoutLines.contains { $0.hasPrefix("test class 1 (>50K) as positive: roc_auc ") }, "\(trained.transcript)")
    }
}
