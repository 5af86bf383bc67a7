import ArgumentParser
import Foundation
import Spindle

/// `spindle train --config run.json`: a JSON object of train's options by their flag names without
/// dashes. Before parsing, its entries become `--name=value` arguments placed before the user's own,
/// so that a flag on the command line wins (the parser keeps an option's last value).
enum ConfigFile {
    /// What a key's value must be.
    enum Kind {
        case string, integer, nonNegativeInteger, number, flag
        /// A `--model` spec: grammar text, or the layer list itself as a JSON array.
        case model
        case choice([String])
    }

    /// Every option of `spindle train` a file may set (ConfigFileTests checks them against --help).
    static let settings: [String: Kind] = [
        "train-x": .string, "train-y": .string, "test-x": .string, "test-y": .string, "val-fraction": .number,
        "memory-budget": .string, "prefetch": .integer, "shuffle-window": .integer, "standardize": .flag,
        "input-shape": .string, "channels-last": .flag,
        "model": .model, "init": .choice(Initialization.allValueStrings),
        "layers": .string, "activation": .choice(Activation.allValueStrings), "loss": .choice(LossKind.allValueStrings),
        "dropout": .number,
        "optimizer": .choice(OptimizerKind.allValueStrings), "lr": .number, "weight-decay": .number,
        "momentum": .number, "nesterov": .flag, "beta1": .number, "beta2": .number,
        "schedule": .choice(ScheduleName.allValueStrings), "step-epochs": .integer, "gamma": .number,
        "warmup-steps": .integer, "min-lr": .number, "clip-norm": .number,
        "workers": .integer, "batch-size": .integer, "drop-last": .flag, "epochs": .integer, "max-steps": .integer,
        "seed": .nonNegativeInteger, "shards": .integer, "checkpoint-dir": .string, "checkpoint-every": .integer,
        "keep": .integer, "resume": .flag, "resume-from": .string, "log": .string, "json": .flag, "quiet": .flag,
        "class-weights": .string, "early-stopping": .integer,
        "monitor": .choice(EarlyStoppingConfig.Monitor.allValueStrings),
    ]

    /// A value as it appears in the file.
    enum Value: Decodable {
        case bool(Bool), integer(Int64), number(Double), string(String)
        /// An array or object, kept as JSON text.
        case json(String)
        case other

        init(from decoder: Decoder) throws {
            let single = try decoder.singleValueContainer()
            if let b = try? single.decode(Bool.self) { self = .bool(b) }
            else if let i = try? single.decode(Int64.self) { self = .integer(i) }
            else if let d = try? single.decode(Double.self) { self = .number(d) }
            else if let s = try? single.decode(String.self) { self = .string(s) }
            else if let layers = try? single.decode([LayerSpec].self),
                    let data = try? JSONEncoder().encode(layers) { self = .json(String(decoding: data, as: UTF8.self)) }
            else { self = .other }
        }
    }

    /// `arguments` (without the program name) with a `train --config FILE`'s entries inserted right
    /// after `train`; other commands, and a `--config` without a value, are left to the parser.
    /// A file that cannot be used ends the process with one line naming the file and the key.
    static func expand(_ arguments: [String]) -> [String] {
        guard arguments.first == "train" else { return arguments }
        var path: String?
        var index = 1
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            if argument == "--config", index + 1 < arguments.count {
                path = arguments[index + 1]
                index += 1
            } else if argument.hasPrefix("--config=") {
                path = String(argument.dropFirst("--config=".count))
            }
            index += 1
        }
        guard let path else { return arguments }
        do {
            return ["train"] + (try self.arguments(fromFile: path)) + arguments.dropFirst()
        } catch let error as SpindleCLIError {
            fail("\(error)")
        } catch {
            fail("\(path): \(error.localizedDescription)")
        }
    }

    /// The file's entries as `--name=value` arguments, in key order.
    static func arguments(fromFile path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw SpindleCLIError("\(path): \(reason) (given to --config)")
        }
        let entries: [String: Value]
        do {
            _ = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SpindleCLIError("\(path): not valid JSON; expected an object like {\"lr\": 0.001, \"epochs\": 15}")
        }
        do {
            entries = try JSONDecoder().decode([String: Value].self, from: data)
        } catch {
            throw SpindleCLIError("\(path): expected a JSON object of settings, like {\"lr\": 0.001, \"epochs\": 15}")
        }
        return try entries.keys.sorted().compactMap { key in
            try argument(key: key, value: entries[key]!, path: path)
        }
    }

    /// One entry as an argument (nil for a false flag), or an error naming the file and the key.
    private static func argument(key: String, value: Value, path: String) throws -> String? {
        guard let kind = settings[key] else {
            let hint = key.hasPrefix("-") ? " (write keys without dashes)" : ""
            throw SpindleCLIError("\(path): unknown setting '\(key)'\(hint); expected one of: " +
                                  settings.keys.sorted().joined(separator: ", "))
        }
        func wrong(_ expected: String) -> SpindleCLIError {
            SpindleCLIError("\(path): setting '\(key)' must be \(expected)")
        }
        let text: String
        switch (kind, value) {
        case (.flag, .bool(let on)): return on ? "--\(key)" : nil
        case (.flag, _): throw wrong("true or false")
        case (.string, .string(let s)): text = s
        case (.string, .integer(let i)): text = String(i)
        case (.string, _): throw wrong("a string")
        case (.model, .string(let s)), (.model, .json(let s)): text = s
        case (.model, _): throw wrong("a model spec: a string such as \"dense(128),relu\" or a layer list such as [{\"dense\": 128}, \"relu\"]")
        case (.choice(let names), .string(let s)):
            guard names.contains(s) else { throw wrong("one of \(names.joined(separator: ", ")), not '\(s)'") }
            text = s
        case (.choice(let names), _): throw wrong("one of \(names.map { "\"\($0)\"" }.joined(separator: ", "))")
        case (.integer, .integer(let i)): text = String(i)
        case (.integer, _): throw wrong("a whole number")
        case (.nonNegativeInteger, .integer(let i)) where i >= 0: text = String(i)
        case (.nonNegativeInteger, .number(let d)) where d >= 0 && d < 0x1p64 && d == d.rounded():
            text = String(UInt64(d))
        case (.nonNegativeInteger, _): throw wrong("a whole number >= 0")
        case (.number, .integer(let i)): text = String(i)
        case (.number, .number(let d)) where d.isFinite: text = String(d)
        case (.number, _): throw wrong("a number")
        }
        return "--\(key)=\(text)"
    }
}
