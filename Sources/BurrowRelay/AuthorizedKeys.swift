import BurrowConfig
import Dispatch
import Foundation
import NIOCore
import NIOSSH
import Synchronization

/// The keys in `STATE_DIR/authorized_keys` (OpenSSH format, options before
/// the key type allowed; Burrow reads two: `burrow-owner="NAME"` (keys with
/// the same owner are one owner for reservations and pools) and
/// `burrow-pool` (the key's unregistered forwards, a stock `ssh -R`'s, serve
/// in a pool); the rest is ignored). The file is re-read whenever its size or
/// modification time changes, so adding (or removing) a key takes effect at
/// the next login. The parsed keys are cached; the stat and any re-read run on
/// one background queue (`check`), never on an event loop.
final class AuthorizedKeys: Sendable {
    let path: String
    private let log: @Sendable (String) -> Void
    private let disk = DispatchQueue(label: "burrow.relay.authorized-keys")
    private struct Snapshot {
        var stamp: FileStamp?
        var keys: Set<NIOSSHPublicKey> = []
        /// Fingerprint → `burrow-owner`, for keys that name one.
        var owners: [String: String] = [:]
        /// Fingerprints of keys with `burrow-pool`.
        var pooling: Set<String> = []
    }
    private let state = Mutex(Snapshot())

    init(path: String, log: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.log = log
    }

    /// Whether `key` is listed now, answered on `loop` after the file's stamp
    /// was checked (and the file re-read if it changed) off the event loops.
    func check(_ key: NIOSSHPublicKey, on loop: any EventLoop) -> EventLoopFuture<Bool> {
        let promise = loop.makePromise(of: Bool.self)
        disk.async { promise.succeed(self.contains(key)) }
        return promise.futureResult
    }

    /// Whether `key` is listed now. Blocking (a stat, maybe a read): call it
    /// off the event loops, as `check` does.
    func contains(_ key: NIOSSHPublicKey) -> Bool {
        let stamp = FileStamp(path: path)
        return state.withLock { snapshot in
            if snapshot.stamp != stamp {
                (snapshot.keys, snapshot.owners, snapshot.pooling) = load()
                snapshot.stamp = stamp
            }
            return snapshot.keys.contains(key)
        }
    }

    /// How many keys the file lists (for the start-up summary).
    var count: Int {
        let stamp = FileStamp(path: path)
        return state.withLock { snapshot in
            if snapshot.stamp != stamp {
                (snapshot.keys, snapshot.owners, snapshot.pooling) = load()
                snapshot.stamp = stamp
            }
            return snapshot.keys.count
        }
    }

    /// The `burrow-owner` the file gave the key with this fingerprint, as of
    /// the last `check` (no I/O: safe on an event loop and under other locks).
    func owner(ofFingerprint fingerprint: String) -> String? {
        state.withLock { $0.owners[fingerprint] }
    }

    /// Whether the key with this fingerprint has `burrow-pool` (as of the last `check`; no I/O).
    func pools(fingerprint: String) -> Bool {
        state.withLock { $0.pooling.contains(fingerprint) }
    }

    /// Reads the file line by line: a line that is not UTF-8 (a comment typed
    /// in Latin-1, say) or not a key is skipped and logged with its number;
    /// every other key still counts. Runs once per change of the file.
    private func load() -> (Set<NIOSSHPublicKey>, [String: String], Set<String>) {
        guard let data = try? AtomicFile.read(path) else { return ([], [:], []) }
        var keys = Set<NIOSSHPublicKey>()
        var owners: [String: String] = [:]
        var pooling: Set<String> = []
        for (index, rawLine) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard let decoded = String(validating: rawLine, as: UTF8.self) else {
                log("\(path):\(index + 1): not valid UTF-8, line skipped (other keys still work)")
                continue
            }
            let line = decoded.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let key = Self.parse(line) {
                keys.insert(key)
                let fingerprint = PublicKeyIdentity(key).fingerprint
                if let owner = Self.owner(line) { owners[fingerprint] = owner }
                if Self.options(line).contains(where: { $0.lowercased() == "burrow-pool" }) { pooling.insert(fingerprint) }
            } else {
                log("\(path):\(index + 1): not an OpenSSH public key line, skipped (expected 'ssh-ed25519 AAAA… comment')")
            }
        }
        return (keys, owners, pooling)
    }

    /// Parses `[options] type base64 [comment]`: the key starts at the first
    /// field that names a key type.
    static func parse(_ line: String) -> NIOSSHPublicKey? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let start = fields.firstIndex(where: { $0.hasPrefix("ssh-") || $0.hasPrefix("ecdsa-sha2-") }) else {
            return nil
        }
        return try? NIOSSHPublicKey(openSSHPublicKey: fields[start...].joined(separator: " "))
    }
}

extension AuthorizedKeys {
    /// The `burrow-owner="NAME"` option of a key line (before the key type;
    /// options are comma-separated, values may be quoted and hold commas or
    /// spaces). nil when absent or empty.
    static func owner(_ line: String) -> String? {
        for option in options(line) where option.lowercased().hasPrefix("burrow-owner=") {
            var value = Substring(option.dropFirst("burrow-owner=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    /// The options before the key type (none when the line starts with it).
    static func options(_ line: String) -> [String] {
        guard let first = line.split(separator: " ").first, !first.hasPrefix("ssh-"), !first.hasPrefix("ecdsa-sha2-") else {
            return []
        }
        var options: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            if !quoted, character == "," || character == " " {
                options.append(current)
                current = ""
                // The options end at the first unquoted space (the key type follows).
                if character == " " { break }
                continue
            }
            current.append(character)
        }
        if !current.isEmpty { options.append(current) }
        return options
    }
}

/// Size and modification time of a file, to notice that it changed.
struct FileStamp: Equatable, Sendable {
    let size: Int
    let modified: Double

    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }
}
