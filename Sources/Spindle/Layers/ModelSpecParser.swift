import Foundation

/// Parses the `--model` grammar (DESIGN.md, "The model spec") into a layer list:
///
///     list := term ("," term)*
///     term := name ["(" argument ("," argument)* ")"]
///     argument := number | key "=" value | term          (terms only inside repeat, residual)
///
/// e.g. `dense(512),relu,dropout(0.2),dense(256,init=torch),relu` or
/// `dense(128),repeat(3,residual(layernorm,dense(128),gelu))`. `repeat(n, …)` is written out n
/// times; `residual(…)` keeps its body as one term. Every mistake
/// throws `SpindleError.invalidConfig` for `--model`, quoting the term that is wrong and saying
/// what was expected there.
public enum ModelSpecParser {
    /// The names a term may have, for error messages.
    static let termNames = ["dense", "dropout", "repeat", "residual", "layernorm", "batchnorm",
                            "conv", "maxpool", "avgpool", "globalavgpool", "flatten"]
        + Activation.allCases.map(\.rawValue) + ["leaky_relu"]
    /// The `key=` options each term takes.
    static let optionNames: [String: Set<String>] = ["dense": ["init"], "conv": ["init", "stride", "pad"],
                                                     "maxpool": ["stride"], "avgpool": ["stride"]]
    /// Largest kernel, stride or padding accepted.
    static let windowLimit = 1 << 12
    /// Terms whose arguments are layers (a bare name there is a term, not a number).
    static let blockNames: Set<String> = ["repeat", "residual"]
    /// Widest dense layer accepted; beyond it a typo is likelier than a model.
    static let widthLimit = 1 << 20

    /// Parses a whole `--model` value.
    /// - Throws: `SpindleError.invalidConfig(setting: "model", …)` naming the bad term.
    public static func parse(_ text: String) throws -> [LayerSpec] {
        var scanner = Scanner(text: Array(text))
        let layers = try scanner.list()
        guard scanner.atEnd else { throw scanner.failure("a ',' between terms") }
        return layers
    }

    /// Parses one term without `repeat`, e.g. "dense(512)" (the JSON form arrives here too).
    static func parseTerm(_ text: String, context: [CodingKey] = []) throws -> LayerSpec {
        do {
            let layers = try parse(text)
            guard layers.count == 1 else { throw SpindleError.invalidConfig(setting: "model", found: text, expected: "one layer") }
            return layers[0]
        } catch let error as SpindleError {
            throw DecodingError.dataCorrupted(.init(codingPath: context, debugDescription: error.description))
        }
    }

    /// A term's parts before they are checked: its name and its arguments' text.
    struct Term {
        var name: String
        var numbers: [String] = []
        var options: [String: String] = [:]
        var body: [LayerSpec] = []
        var text: String
    }

    /// Turns a parsed term into a layer, checking its arguments.
    static func layer(_ term: Term) throws -> [LayerSpec] {
        func fail(_ expected: String) -> SpindleError {
            .invalidConfig(setting: "model", found: term.text, expected: expected)
        }
        let unknownOptions = Set(term.options.keys).subtracting(optionNames[term.name] ?? [])
        if let key = unknownOptions.sorted().first { throw fail("no option '\(key)=' for \(term.name)") }
        switch term.name {
        case "dense":
            guard term.numbers.count == 1, term.body.isEmpty, let units = Int(term.numbers[0]),
                  (1...widthLimit).contains(units) else {
                throw fail("dense(N) with N a number of units from 1 to \(widthLimit), e.g. dense(128)")
            }
            return [.dense(units: units, initialization: try initialization(term))]
        case "conv":
            guard term.numbers.count == 2, term.body.isEmpty, let channels = Int(term.numbers[0]),
                  (1...widthLimit).contains(channels), let kernel = Int(term.numbers[1]), (1...windowLimit).contains(kernel) else {
                throw fail("conv(C,K) with C output channels from 1 to \(widthLimit) and a K×K kernel, e.g. conv(32,3,pad=1)")
            }
            let stride = try option("stride", of: term, default: 1, in: 1...windowLimit)
            let padding = try option("pad", of: term, default: 0, in: 0...windowLimit)
            return [.conv(channels: channels, kernel: kernel, stride: stride, padding: padding,
                          initialization: try initialization(term))]
        case "maxpool", "avgpool":
            guard term.numbers.count == 1, term.body.isEmpty, let kernel = Int(term.numbers[0]), (1...windowLimit).contains(kernel) else {
                throw fail("\(term.name)(K) with a K×K window, K from 1 to \(windowLimit), e.g. \(term.name)(2)")
            }
            let stride = try option("stride", of: term, default: kernel, in: 1...windowLimit)
            return [term.name == "maxpool" ? .maxPool(kernel: kernel, stride: stride) : .avgPool(kernel: kernel, stride: stride)]
        case "globalavgpool", "flatten":
            guard term.numbers.isEmpty, term.body.isEmpty else { throw fail("\(term.name) without arguments") }
            return [term.name == "flatten" ? .flatten : .globalAvgPool]
        case "dropout":
            guard term.numbers.count == 1, term.body.isEmpty, let p = Double(term.numbers[0]), p >= 0, p < 1 else {
                throw fail("dropout(P) with P a probability in [0, 1), e.g. dropout(0.2)")
            }
            return [.dropout(p)]
        case "leaky_relu":
            guard term.numbers.count <= 1, term.body.isEmpty else { throw fail("leaky_relu(A) with one slope A, e.g. leaky_relu(0.01)") }
            guard let text = term.numbers.first else { return [.leakyRelu(LayerSpec.leakyReluSlope)] }
            guard let slope = Double(text), slope >= 0, slope.isFinite else {
                throw fail("leaky_relu(A) with A a negative-side slope >= 0, e.g. leaky_relu(0.01)")
            }
            return [.leakyRelu(slope)]
        case "layernorm", "batchnorm":
            guard term.numbers.isEmpty, term.body.isEmpty else { throw fail("\(term.name) without arguments (it normalises its input's width)") }
            return [term.name == "layernorm" ? .layerNorm : .batchNorm]
        case "residual":
            guard term.numbers.isEmpty, !term.body.isEmpty else {
                throw fail("residual(layers…) with at least one layer, e.g. residual(layernorm,dense(64),relu)")
            }
            return [.residual(term.body)]
        case "repeat":
            guard term.numbers.count == 1, let n = Int(term.numbers[0]), (1...10_000).contains(n), !term.body.isEmpty else {
                throw fail("repeat(N, layers…) with N from 1 to 10000 and at least one layer, e.g. repeat(4,dense(64),relu)")
            }
            return Array([[LayerSpec]](repeating: term.body, count: n).joined())
        default:
            guard let activation = Activation(rawValue: term.name) else {
                throw fail("a layer: one of \(termNames.joined(separator: ", "))")
            }
            guard term.numbers.isEmpty, term.body.isEmpty else { throw fail("\(term.name) without arguments") }
            return [.activation(activation)]
        }
    }

    /// The term's `init=`, or nil.
    static func initialization(_ term: Term) throws -> Initialization? {
        guard let name = term.options["init"] else { return nil }
        guard let chosen = Initialization(rawValue: name) else {
            throw SpindleError.invalidConfig(setting: "model", found: term.text,
                                             expected: "init= one of \(Initialization.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return chosen
    }

    /// The term's whole-number option `key=`, or `fallback` when it has none.
    static func option(_ key: String, of term: Term, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = term.options[key] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw SpindleError.invalidConfig(setting: "model", found: term.text,
                                             expected: "\(key)= a whole number from \(range.lowerBound) to \(range.upperBound), e.g. \(key)=\(max(1, range.lowerBound))")
        }
        return value
    }

    /// A cursor over the spec's characters.
    struct Scanner {
        let text: [Character]
        var position = 0

        var atEnd: Bool {
            mutating get { skipSpaces(); return position == text.count }
        }

        mutating func list() throws -> [LayerSpec] {
            var layers: [LayerSpec] = []
            repeat {
                layers += try ModelSpecParser.layer(try term())
            } while consume(",")
            return layers
        }

        mutating func term() throws -> Term {
            skipSpaces()
            let start = position
            let name = word()
            guard !name.isEmpty else { throw failure("a layer name (\(ModelSpecParser.termNames.joined(separator: ", ")))") }
            var term = Term(name: name, text: name)
            if consume("(") {
                repeat {
                    skipSpaces()
                    let argumentStart = position
                    let token = word()
                    if consume("=") {
                        skipSpaces()
                        term.options[token] = word()
                    } else if peek == "(" || (ModelSpecParser.blockNames.contains(term.name) && !token.isEmpty && Double(token) == nil) {
                        position = argumentStart
                        term.body += try ModelSpecParser.layer(try self.term())
                    } else {
                        guard !token.isEmpty else { throw failure("an argument", term: start) }
                        term.numbers.append(token)
                    }
                } while consume(",")
                guard consume(")") else { throw failure("')' closing \(name)(", term: start) }
            }
            term.text = String(text[start..<position]).trimmingCharacters(in: .whitespaces)
            return term
        }

        /// Letters, digits, '_' and the other characters of a number.
        mutating func word() -> String {
            skipSpaces()
            let start = position
            while position < text.count, text[position].isLetter || text[position].isNumber || "._-+_".contains(text[position]) {
                position += 1
            }
            return String(text[start..<position])
        }

        var peek: Character? { position < text.count ? text[position] : nil }

        mutating func consume(_ c: Character) -> Bool {
            skipSpaces()
            guard peek == c else { return false }
            position += 1
            return true
        }

        mutating func skipSpaces() {
            while position < text.count, text[position].isWhitespace { position += 1 }
        }

        /// The error for what is at the cursor (or from the start of the current term).
        func failure(_ expected: String, term start: Int? = nil) -> SpindleError {
            let from = start ?? position
            var rest = String(text[from...])
            if rest.isEmpty { rest = "end of the spec" }
            return .invalidConfig(setting: "model", found: String(text),
                                  expected: "\(expected) at '\(rest.prefix(24))' (character \(from + 1))")
        }
    }
}
