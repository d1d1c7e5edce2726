/// A systemd unit file `burrow service install` writes. Its first lines say
/// who wrote it and carry a hash of the rest, so a later install or
/// uninstall can tell its own unit (safe to replace) from one a person
/// edited (left alone unless --force).
struct SystemdUnit: Equatable {
    static let hashPrefix = "# burrow-generated: "

    var description: String
    var execStart: [String]
    /// `default.target` for a user unit, `multi-user.target` for the relay's system unit.
    var wantedBy: String
    /// Environment lines (`KEY=value`) for the service.
    var environment: [String] = []

    /// The unit's body, without the header.
    var body: String {
        var lines = [
            "[Unit]",
            "Description=\(description)",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=simple",
            "ExecStart=\(execStart.map(SystemdUnit.quote).joined(separator: " "))",
        ]
        lines += environment.map { "Environment=\(SystemdUnit.quote($0))" }
        lines += [
            // SIGTERM drains (forwards withdrawn, visitors finish) within 10 s.
            "KillSignal=SIGTERM",
            "TimeoutStopSec=30",
            "Restart=on-failure",
            "RestartSec=5",
            "",
            "[Install]",
            "WantedBy=\(wantedBy)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole file: a comment header with the body's hash, then the body.
    var text: String {
        "# Written by `burrow service install`. If you edit this file, burrow will not replace or remove it without --force.\n"
            + SystemdUnit.hashPrefix + SystemdUnit.hash(body) + "\n" + body
    }

    /// What an existing unit file is to us.
    enum Ownership: Equatable {
        /// Written by burrow and unchanged since: safe to replace or remove.
        case ours
        /// No burrow header, or the body changed after burrow wrote it.
        case edited
    }

    static func ownership(of text: String) -> Ownership {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.hasPrefix(hashPrefix) }), index < 2 else { return .edited }
        let recorded = lines[index].dropFirst(hashPrefix.count)
        lines.removeSubrange(0...index)
        return hash(lines.joined(separator: "\n")) == recorded ? .ours : .edited
    }

    /// FNV-1a, 64 bits, in hex: detects edits (not an integrity check against an attacker).
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// systemd's quoting: words with spaces, quotes or backslashes in double quotes.
    static func quote(_ word: String) -> String {
        guard word.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" || $0 == "'" || $0 == "$" || $0 == "%" }) || word.isEmpty else {
            return word
        }
        let escaped = word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "$", with: "$$").replacingOccurrences(of: "%", with: "%%")
        return "\"\(escaped)\""
    }
}
