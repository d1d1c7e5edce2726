import Foundation

/// Relay host keys the agent has seen, pinned on first use like OpenSSH's
/// `known_hosts` (same line format: `[host]:port ssh-ed25519 AAAA…`), so a
/// relay whose key changes is refused instead of silently trusted.
public struct KnownRelays: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// This exact key is pinned for host:port.
        case trusted
        /// Nothing is pinned for host:port yet.
        case unknown
        /// A different key is pinned; `expected` is its `type base64` line.
        case mismatch(expected: String)
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Compares `keyLine` (`ssh-ed25519 AAAA… [comment]`) with the pinned key.
    public func check(host: String, port: Int, keyLine: String) throws(ConfigError) -> Verdict {
        let key = try KnownRelays.normalizedKey(keyLine)
        let pinned = try entries().filter { $0.pattern == KnownRelays.pattern(host: host, port: port) }.map(\.key)
        if pinned.isEmpty { return .unknown }
        if pinned.contains(key) { return .trusted }
        return .mismatch(expected: pinned[0])
    }

    /// Pins `keyLine` for host:port, replacing any key pinned there before.
    public func pin(host: String, port: Int, keyLine: String) throws(ConfigError) {
        let key = try KnownRelays.normalizedKey(keyLine)
        let pattern = KnownRelays.pattern(host: host, port: port)
        // Its own lock: pin may run while a store update holds `.lock`.
        let lock = AtomicFile.parentDirectory(of: path) + "/.known_relays.lock"
        try AtomicFile.makeDirectory(AtomicFile.parentDirectory(of: path))
        try FileLock.withLockTyped(lock) { () throws(ConfigError) in
            var kept = try rawLines().filter { !$0.isEmpty }.filter { line in
                KnownRelays.parse(line).map { $0.pattern != pattern } ?? true
            }
            kept.append("\(pattern) \(key)")
            try AtomicFile.write(Array((kept.joined(separator: "\n") + "\n").utf8), to: path, mode: 0o644)
        }
    }

    /// `host` alone for port 22 (as OpenSSH writes it), else `[host]:port`;
    /// host names are compared case-insensitively.
    static func pattern(host: String, port: Int) -> String {
        let lower = host.lowercased()
        return port == 22 ? lower : "[\(lower)]:\(port)"
    }

    /// `type base64`, dropping the comment; validates an ed25519 key.
    static func normalizedKey(_ keyLine: String) throws(ConfigError) -> String {
        _ = try OpenSSHKey.parsePublicKeyLine(keyLine)
        return OpenSSHKey.keyText(keyLine)
    }

    struct Entry {
        var pattern: String
        var key: String
    }

    private func rawLines() throws(ConfigError) -> [String] {
        guard let bytes = try AtomicFile.read(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    static func parse(_ line: String) -> Entry? {
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 3, !fields[0].hasPrefix("#") else { return nil }
        return Entry(pattern: fields[0].lowercased(), key: "\(fields[1]) \(fields[2])")
    }

    private func entries() throws(ConfigError) -> [Entry] {
        var result: [Entry] = []
        for (index, line) in try rawLines().enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let entry = KnownRelays.parse(trimmed) else {
                throw .syntax(file: path, line: index + 1, column: 1, message: "expected '[HOST]:PORT ssh-ed25519 KEY'")
            }
            result.append(entry)
        }
        return result
    }
}
