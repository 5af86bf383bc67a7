import Foundation
import SpindleTestSupport
import Testing

/// `--help` on every command says what each flag does and its default (DESIGN.md, "The command
/// line"), and the flags the design names as the contract exist.
@Suite struct HelpTests {
    /// Flags of `spindle train` named in DESIGN.md, and the subcommands it lists.
    static let contractTrainFlags = ["--layers", "--activation", "--loss", "--dropout", "--weight-decay",
                                     "--optimizer", "--lr", "--batch-size", "--epochs", "--max-steps", "--workers",
                                     "--seed", "--checkpoint-dir", "--checkpoint-every", "--keep", "--resume",
                                     "--json", "--log"]
    static let contractSubcommands = ["train", "eval", "predict", "scale", "import", "synth", "inspect"]

    /// One option of a help page: its names ("--lr", "-o, --output"), whether it takes a value,
    /// and its whole description.
    struct Entry {
        var name: String
        var takesValue: Bool
        var text: String
    }

    /// The subcommand names listed under SUBCOMMANDS: of a help page.
    static func subcommands(_ help: String) -> [String] {
        guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return [] }
        return section.split(separator: "\n").compactMap { line in
            // "  train                   Train a …": two spaces, the name, two or more spaces.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.contains("See '") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    /// The entries of the OPTIONS: section of a help page.
    static func options(_ help: String) -> [Entry] {
        guard let section = help.components(separatedBy: "OPTIONS:\n").dropFirst().first?
            .components(separatedBy: "\n\n").first else { return [] }
        var entries: [Entry] = []
        for line in section.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            if line.hasPrefix("  -") && !line.hasPrefix("   ") {
                let head = trimmed.components(separatedBy: "  ").first ?? ""
                let name = head.split(separator: " ").first { $0.hasPrefix("--") }.map(String.init) ?? head
                entries.append(Entry(name: name, takesValue: head.contains("<"), text: String(trimmed)))
            } else if !entries.isEmpty {
                entries[entries.count - 1].text += " " + trimmed
            }
        }
        return entries
    }

    /// Options the usage line shows without brackets: required, so they have no default.
    static func isRequired(_ name: String, usage help: String) -> Bool {
        let usage = help.components(separatedBy: "\n").first { $0.hasPrefix("USAGE:") } ?? ""
        return usage.contains(" \(name) <") && !usage.contains("[\(name) <")
    }

    @Test func everyCommandDocumentsItsFlagsAndDefaults() throws {
        let scratch = try TemporaryDirectory()
        let root = try spindleSucceeds(["--help"], in: scratch)
        var commands = Self.subcommands(root.stdout).map { [$0] }
        #expect(commands.contains(["train"]) && commands.contains(["eval"]) && commands.contains(["predict"]),
                "\(root.stdout)")
        var checked = 0
        while let command = commands.first {
            commands.removeFirst()
            let help = try spindleSucceeds(command + ["--help"], in: scratch)
            let name = command.joined(separator: " ")
            #expect(help.stdout.contains("USAGE: spindle \(name)"), "\(name):\n\(help.transcript)")
            commands += Self.subcommands(help.stdout).map { command + [$0] }
            for entry in Self.options(help.stdout) where !["--help", "--version"].contains(entry.name) {
                checked += 1
                // Every option says what it does: more than its name on the line.
                #expect(entry.text.count > entry.name.count + 12, "\(name) \(entry.name) has no help: \(entry.text)")
                guard entry.takesValue, !Self.isRequired(entry.name, usage: help.stdout) else { continue }
                #expect(entry.text.contains("default"),
                        "spindle \(name) --help: \(entry.name) shows no default: \(entry.text)")
            }
        }
        #expect(checked > 40, "parsed the option lists of every help page")
    }

    @Test func designContractFlagsExist() throws {
        let scratch = try TemporaryDirectory()
        let train = try spindleSucceeds(["train", "--help"], in: scratch)
        let flags = Set(Self.options(train.stdout).map(\.name))
        let root = try spindleSucceeds(["--help"], in: scratch)
        let commands = Set(Self.subcommands(root.stdout))
        let missingFlags = Self.contractTrainFlags.filter { !flags.contains($0) }
        #expect(missingFlags.isEmpty, "spindle train lacks \(missingFlags) (DESIGN.md):\n\(train.stdout)")
        let missingCommands = Self.contractSubcommands.filter { !commands.contains($0) }
        #expect(missingCommands.isEmpty, "spindle lacks \(missingCommands) (DESIGN.md):\n\(root.stdout)")
    }
}
