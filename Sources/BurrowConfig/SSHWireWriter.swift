/// Writes the SSH wire encoding.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeUInt32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    mutating func writeString<C: Collection>(_ value: C) where C.Element == UInt8 {
        writeUInt32(UInt32(value.count))
        bytes += value
    }

    mutating func writeText(_ value: String) {
        writeString(Array(value.utf8))
    }

    mutating func writeRaw(_ value: [UInt8]) {
        bytes += value
    }
}
