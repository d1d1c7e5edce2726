/// Reads the SSH wire encoding (RFC 4251: uint32, length-prefixed string)
/// out of a key blob, failing instead of trapping on truncated input.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func readBytes(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func readUInt32() -> UInt32? {
        guard let slice = readBytes(4) else { return nil }
        return slice.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    mutating func readString() -> [UInt8]? {
        guard let length = readUInt32(), let slice = readBytes(Int(length)) else { return nil }
        return Array(slice)
    }

    mutating func readText() -> String? {
        readString().flatMap { String(validating: $0, as: UTF8.self) }
    }
}
