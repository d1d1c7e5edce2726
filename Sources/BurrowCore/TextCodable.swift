/// A value that JSON carries as its text (`"127.0.0.1:3000"`,
/// `"203.0.113.0/24"`, `"http://web.localhost:8080"`): Codable through
/// `init(parsing:)` and `description`, with the parse error as the decoding error.
public protocol TextCodable: Codable, CustomStringConvertible {
    init(parsing text: String) throws(CoreError)
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
