import Foundation

// Shared by TutorialTests and ReadmeCommandsTests: how the `spindle …` commands of a Markdown
// file are taken from its code blocks, and how they are made small enough to run in seconds.

/// The `spindle` commands of the code blocks whose fence info string is in `fences` ("" is a plain
/// ``` block), in order, as argument lists without `spindle`. A leading `$ ` prompt is dropped, a
/// line ending in `\` continues on the next, a `#` comment to the end of the line is dropped, and
/// words are split on blanks (the documents' commands use no quotes).
func documentedCommands(in markdown: String, fences: Set<String>) -> [[String]] {
    var commands: [[String]] = []
    var inBlock = false, inShell = false, pending = ""
    for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("```") {
            if inBlock {
                inBlock = false; inShell = false
            } else {
                inBlock = true
                inShell = fences.contains(String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces))
            }
            pending = ""
            continue
        }
        guard inShell else { continue }
        var text = line.hasPrefix("$ ") ? String(line.dropFirst(2)) : line
        if let hash = text.range(of: " #") ?? (text.hasPrefix("#") ? text.range(of: "#") : nil) {
            text = String(text[..<hash.lowerBound])
        }
        if text.hasSuffix("\\") {
            pending += text.dropLast() + " "
            continue
        }
        let words = shellWords(pending + text)
        pending = ""
        if words.first == "spindle" { commands.append(Array(words.dropFirst())) }
    }
    return commands
}

/// The small-size rewrite: for `train` (and `scale`), `--epochs N` becomes `--epochs 1` and
/// `--steps N` becomes `--steps 2`; `train` gets `--max-steps 20` unless it has `--max-steps` or
/// writes a `--log` (`spindle plot` needs one whole epoch in the log). Nothing else changes.
func shrinkCommand(_ arguments: [String]) -> [String] {
    guard let command = arguments.first, command == "train" || command == "scale" else { return arguments }
    var result: [String] = []
    var index = 0
    while index < arguments.count {
        let word = arguments[index]
        if (word == "--epochs" || word == "--steps"), index + 1 < arguments.count {
            result += [word, word == "--epochs" ? "1" : "2"]
            index += 2
            continue
        }
        result.append(word)
        index += 1
    }
    if command == "train", !result.contains("--max-steps"), !result.contains("--log") { result += ["--max-steps", "20"] }
    return result
}

/// Splits a command line into words as a shell does for the quoting the docs use: blanks
/// separate words; '…' and "…" group what they enclose (quotes removed).
func shellWords(_ line: String) -> [String] {
    var words: [String] = [], word = "", quote: Character? = nil, inWord = false
    for c in line {
        if let q = quote {
            if c == q { quote = nil } else { word.append(c) }
        } else if c == "'" || c == "\"" {
            quote = c
            inWord = true
        } else if c == " " || c == "\t" {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        } else {
            word.append(c)
            inWord = true
        }
    }
    if inWord { words.append(word) }
    return words
}
