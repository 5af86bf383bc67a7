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
    static let termNames = ["dense", "dropout", "repeat", "residual", "layernorm", "batchnorm"]
        + Activation.allCases.map(\.rawValue) + ["leaky_relu"]
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
        let unknownOptions = Set(term.options.keys).subtracting(term.name == "dense" ? ["init"] : [])
        if let key = unknownOptions.sorted().first { throw fail("no option '\(key)=' for \(term.name)") }
        switch term.name {
        case "dense":
            guard term.numbers.count == 1, term.body.isEmpty, let units = Int(term.numbers[0]),
                  (1...widthLimit).contains(units) else {
                throw fail("dense(N) with N a number of units from 1 to \(widthLimit), e.g. dense(128)")
            }
            var initialization: Initialization? = nil
            if let name = term.options["init"] {
                guard let chosen = Initialization(rawValue: name) else {
                    throw fail("init= one of \(Initialization.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                initialization = chosen
            }
            return [.dense(units: units, initialization: initialization)]
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
