/// The header dictionary of a `.npy` file: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
///
/// NumPy writes it as a Python literal; this reads the small subset that appears there (dicts, tuples,
/// lists, strings, integers, True/False) rather than matching fixed text, so key order, spacing and
/// Python 2's `3L` integers from old files all work.
struct NPYHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// A value of the Python literal subset.
    private indirect enum Literal {
        case string(String), integer(Int), boolean(Bool), sequence([Literal]), dictionary([String: Literal])
    }

    /// Parses the header text; `nil` when it is not a dict holding the three keys.
    /// A structured (record) dtype, whose `descr` is a list, yields `descr == ""`.
    init?(_ text: String) {
        var parser = Parser(characters: Array(text))
        guard case .dictionary(let entries)? = parser.literal(),
              case .boolean(let fortranOrder)? = entries["fortran_order"],
              case .sequence(let dims)? = entries["shape"], let descr = entries["descr"]
        else { return nil }
        var shape: [Int] = []
        for dim in dims {
            guard case .integer(let size) = dim, size >= 0 else { return nil }
            shape.append(size)
        }
        if case .string(let text) = descr { self.descr = text } else { self.descr = "" }
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    private struct Parser {
        let characters: [Character]
        var position = 0

        mutating func skipBlanks() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func take(_ character: Character) -> Bool {
            skipBlanks()
            guard position < characters.count, characters[position] == character else { return false }
            position += 1
            return true
        }

        mutating func literal() -> Literal? {
            skipBlanks()
            guard position < characters.count else { return nil }
            switch characters[position] {
            case "{": return items(close: "}", keyed: true)
            case "(": return items(close: ")", keyed: false)
            case "[": return items(close: "]", keyed: false)
            case "'", "\"": return string()
            default: return word()
            }
        }

        /// `(a, b, )`, `[a, b]` or `{'k': v, }`: Python allows a trailing comma in each.
        mutating func items(close: Character, keyed: Bool) -> Literal? {
            position += 1
            var list: [Literal] = []
            var dictionary: [String: Literal] = [:]
            while !take(close) {
                if keyed {
                    guard case .string(let key)? = literal(), take(":"), let value = literal() else { return nil }
                    dictionary[key] = value
                } else {
                    guard let value = literal() else { return nil }
                    list.append(value)
                }
                if !take(",") {
                    guard take(close) else { return nil }
                    break
                }
            }
            return keyed ? .dictionary(dictionary) : .sequence(list)
        }

        mutating func string() -> Literal? {
            let quote = characters[position]
            guard let end = characters[(position + 1)...].firstIndex(of: quote) else { return nil }
            defer { position = end + 1 }
            return .string(String(characters[(position + 1) ..< end]))
        }

        mutating func word() -> Literal? {
            let start = position
            while position < characters.count, characters[position].isLetter || characters[position].isNumber
                || characters[position] == "-"
            {
                position += 1
            }
            let word = String(characters[start ..< position])
            switch word {
            case "True": return .boolean(true)
            case "False": return .boolean(false)
            default:
                // Python 2 wrote long integers as `3L`.
                let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                return Int(digits).map(Literal.integer)
            }
        }
    }
}
