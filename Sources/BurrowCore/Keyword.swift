/// An enum written as one word in files, flags and the API (`http`, `v2`):
/// parsed ignoring case, printed as the word. A conforming enum names only
/// the error for a word that is none of its cases.
public protocol Keyword: RawRepresentable<String>, CustomStringConvertible {
    static func unknown(_ text: String) -> CoreError
}

extension Keyword {
    public init(parsing text: String) throws(CoreError) {
        guard let value = Self(rawValue: text.lowercased()) else { throw Self.unknown(text) }
        self = value
    }

    public var description: String { rawValue }
}
