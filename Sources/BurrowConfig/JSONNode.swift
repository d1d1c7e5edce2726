/// A parsed JSON value that remembers where it was in the file, so errors in
/// a hand-edited config can point at the line and column.
struct JSONNode: Sendable {
    indirect enum Value: Sendable {
        case object([Member])
        case array([JSONNode])
        case string(String)
        /// The number as written, so integers are checked without rounding.
        case number(String)
        case bool(Bool)
        case null
    }

    struct Member: Sendable {
        var key: String
        var keyLine: Int
        var keyColumn: Int
        var value: JSONNode
    }

    var value: Value
    var line: Int
    var column: Int

    var kindName: String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}
