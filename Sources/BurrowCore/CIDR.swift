/// An IPv4 or IPv6 network, `10.0.0.0/8`, `2001:db8::/32`, or one address
/// (`192.0.2.7` = `/32`, `::1` = `/128`), as the `allow` and `deny` rules of
/// a mapping name them. Written back in canonical form (host bits cleared).
public struct CIDR: Sendable, Hashable, TextCodable {
    /// 4 bytes (IPv4) or 16 (IPv6), network order, host bits zero.
    public let address: [UInt8]
    public let prefixLength: Int

    public var isIPv4: Bool { address.count == 4 }

    public init(parsing text: String) throws(CoreError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = CIDR.parseAddress(String(parts[0])) else { throw .invalidCIDR(text) }
        let bits = bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value), parts[1].allSatisfy(\.isASCII) else {
                throw .invalidCIDR(text)
            }
            prefix = value
        }
        self.prefixLength = prefix
        self.address = CIDR.masked(bytes, prefix: prefix)
    }

    /// Whether `address` (4 or 16 bytes) is in this network. An IPv4-mapped
    /// IPv6 address (`::ffff:192.0.2.7`, what a dual-stack socket reports)
    /// counts as its IPv4 address.
    public func contains(_ candidate: [UInt8]) -> Bool {
        let bytes = CIDR.unmapped(candidate)
        guard bytes.count == address.count else { return false }
        return CIDR.masked(bytes, prefix: prefixLength) == address
    }

    /// Whether the textual address `text` is in this network (false when it does not parse).
    public func contains(address text: String) -> Bool {
        guard let bytes = CIDR.parseAddress(text) else { return false }
        return contains(bytes)
    }

    public var description: String {
        let text = CIDR.format(address)
        return prefixLength == address.count * 8 ? text : "\(text)/\(prefixLength)"
    }


    // MARK: addresses

    /// `192.0.2.7` → 4 bytes; `2001:db8::1`, `::ffff:192.0.2.7`, `[::1]` → 16 bytes; else nil.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }  // fe80::1%eth0
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(text)
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowIPv4Tail, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    bytes += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return bytes
        }
        if halves.count == 1 {
            guard let bytes = groups(halves[0], allowIPv4Tail: true), bytes.count == 16 else { return nil }
            return bytes
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
              head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// `::ffff:a.b.c.d` (16 bytes) → a.b.c.d (4 bytes); anything else unchanged.
    public static func unmappedAddress(_ bytes: [UInt8]) -> [UInt8] { unmapped(bytes) }

    static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return Array(bytes[12...])
        }
        return bytes
    }

    static func masked(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsHere = max(0, min(8, prefix - index * 8))
            result[index] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
        }
        return result
    }

    /// Dotted quad, or RFC 5952 text (lower case, longest zero run as `::`).
    public static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        for index in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength, index - runStart >= 2 { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

extension Substring {
    /// Splits at `::` (at most one is valid in an IPv6 address; more yield 3+ parts).
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        parts.append(self[start...])
        return parts
    }
}
