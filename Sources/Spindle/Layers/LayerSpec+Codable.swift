import Foundation

/// JSON form: a bare string for a term without arguments ("relu"), else an object keyed by the
/// term's name ({"dense": 512, "init": "he"}, {"dropout": 0.2}, {"leaky_relu": 0.1}); a residual
/// block's value is its body's list ({"residual": ["layernorm", {"dense": 64}, "relu"]}); a
/// term with several numbers lists them ({"conv": [32, 3], "pad": 1}, {"maxpool": 2, "stride": 1}).
extension LayerSpec: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Keys of an object that are a term's options, not its name.
    private static let optionKeys: Set<String> = ["init", "stride", "pad"]

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            self = try ModelSpecParser.parseTerm(name, context: decoder.codingPath)
            return
        }
        let c = try decoder.container(keyedBy: Key.self)
        let names = c.allKeys.map(\.stringValue).filter { !Self.optionKeys.contains($0) }
        guard names.count == 1, let name = names.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "expected one layer per object, e.g. {\"dense\": 512}, found keys \(c.allKeys.map(\.stringValue).sorted())"))
        }
        if name == "residual" {
            let body = try c.decode([LayerSpec].self, forKey: Key(name))
            guard !body.isEmpty, c.allKeys.count == 1 else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath + [Key(name)],
                    debugDescription: "expected a non-empty layer list for 'residual', e.g. {\"residual\": [{\"dense\": 64}, \"relu\"]}"))
            }
            self = .residual(body)
            return
        }
        func text(_ number: Double) -> String {
            number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        }
        var arguments: [String]
        if let number = try? c.decode(Double.self, forKey: Key(name)) {
            arguments = [text(number)]
        } else if let list = try? c.decode([Double].self, forKey: Key(name)) {
            arguments = list.map(text)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [Key(name)],
                debugDescription: "expected a number for '\(name)', e.g. {\"\(name)\": 128}"))
        }
        for key in Self.optionKeys.sorted() where c.contains(Key(key)) {
            if let name = try? c.decode(String.self, forKey: Key(key)) {
                arguments.append("\(key)=\(name)")
            } else if let number = try? c.decode(Double.self, forKey: Key(key)) {
                arguments.append("\(key)=\(text(number))")
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [Key(key)],
                                                        debugDescription: "expected a name or a number for '\(key)'"))
            }
        }
        self = try ModelSpecParser.parseTerm("\(name)(\(arguments.joined(separator: ",")))", context: decoder.codingPath)
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case let .activation(activation):
            var c = encoder.singleValueContainer()
            try c.encode(activation.rawValue)
        case let .dense(units, initialization):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(units, forKey: Key("dense"))
            try c.encodeIfPresent(initialization?.rawValue, forKey: Key("init"))
        case let .dropout(p):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(p, forKey: Key("dropout"))
        case let .leakyRelu(slope):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(slope, forKey: Key("leaky_relu"))
        case .layerNorm, .batchNorm, .globalAvgPool, .flatten:
            var c = encoder.singleValueContainer()
            try c.encode(kind)
        case let .conv(channels, kernel, stride, padding, initialization):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode([channels, kernel], forKey: Key("conv"))
            if stride != 1 { try c.encode(stride, forKey: Key("stride")) }
            if padding != 0 { try c.encode(padding, forKey: Key("pad")) }
            try c.encodeIfPresent(initialization?.rawValue, forKey: Key("init"))
        case let .maxPool(kernel, stride), let .avgPool(kernel, stride):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(kernel, forKey: Key(kind))
            if stride != kernel { try c.encode(stride, forKey: Key("stride")) }
        case let .residual(body):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(body, forKey: Key("residual"))
        }
    }
}
