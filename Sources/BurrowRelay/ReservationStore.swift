import BurrowConfig
import BurrowCore
import Foundation
import Synchronization

/// Names and ports held per client key, kept in `STATE_DIR/reservations.json`
/// so the same key gets the same URL back after a reconnect or a relay restart,
/// and no other key can take it.
///
/// The file is read once at start-up; a file that does not parse stops the
/// relay (it is never overwritten). Every change is written at once, atomically.
final class ReservationStore: Sendable {
    struct File: Codable, Equatable {
        var version = 1
        /// By key fingerprint (`SHA256:…`).
        var keys: [String: KeyReservations] = [:]
    }

    struct KeyReservations: Codable, Equatable {
        /// HTTP names this key holds.
        var names: [String] = []
        /// The name the relay picked for this key's unnamed HTTP forward.
        var autoName: String?
        /// TCP ports this key holds, each under the bind address it asked with.
        var ports: [PortReservation] = []
    }

    struct PortReservation: Codable, Equatable {
        var label: String
        var port: Int
    }

    let path: String
    private let file: Mutex<File>

    /// Names, and ports, one key may hold: keeps one key (on a relay open to
    /// any key) from reserving the whole port range or growing the file forever.
    static let maximumPerKey = 64

    init(path: String) throws(RelayError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            file = Mutex(File())
            return
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            file = Mutex(try JSONDecoder().decode(File.self, from: data))
        } catch {
            throw .stateDirectory(
                path, reason: "it is not a valid reservations file (\(error)); fix or move it away (it is never overwritten)")
        }
    }

    /// The fingerprint of the key holding `name`, if any.
    func owner(ofName name: String) -> String? {
        file.withLock { file in
            file.keys.first(where: { $0.value.names.contains(name) })?.key
        }
    }

    /// The fingerprint of the key holding TCP `port`, if any.
    func owner(ofPort port: Int) -> String? {
        file.withLock { file in
            file.keys.first(where: { $0.value.ports.contains(where: { $0.port == port }) })?.key
        }
    }

    /// Reserves `name` for `key`; refuses when another key holds it.
    func claim(name: String, for key: String) throws(RelayError) {
        let result: Result<Void, RelayError> = file.withLock { file in
            if let owner = file.keys.first(where: { $0.value.names.contains(name) })?.key, owner != key {
                return .failure(.refused("name '\(name)' is reserved by another key; choose another name"))
            }
            if file.keys[key, default: KeyReservations()].names.contains(name) { return .success(()) }
            guard file.keys[key, default: KeyReservations()].names.count < Self.maximumPerKey else {
                return .failure(.refused("this key already holds \(Self.maximumPerKey) names on this relay; reuse one of them"))
            }
            file.keys[key, default: KeyReservations()].names.append(name)
            return Self.save(file, to: path)
        }
        try result.get()
    }

    /// The name for `key`'s unnamed HTTP forward: its earlier pick, or a new
    /// random name no key holds (saved at once, so it comes back next time).
    func autoName(for key: String, avoiding taken: Set<String>) throws(RelayError) -> String {
        let result: Result<String, RelayError> = file.withLock { file in
            if let name = file.keys[key]?.autoName, !taken.contains(name) { return .success(name) }
            let held = Set(file.keys.values.flatMap(\.names))
            guard file.keys[key, default: KeyReservations()].names.count < Self.maximumPerKey else {
                return .failure(.refused("this key already holds \(Self.maximumPerKey) names on this relay; ask for one of them by name"))
            }
            for _ in 0..<1000 {
                let candidate = NameGenerator.random()
                if held.contains(candidate) || taken.contains(candidate) { continue }
                var entry = file.keys[key, default: KeyReservations()]
                if entry.autoName == nil { entry.autoName = candidate }
                entry.names.append(candidate)
                file.keys[key] = entry
                return Self.save(file, to: path).map { candidate }
            }
            return .failure(.refused("the relay could not find a free name; ask for one by name (ssh -R NAME:80:…)"))
        }
        return try result.get()
    }

    /// Ports to try for `key`'s TCP forward labelled `label` that asked for
    /// port 0: its earlier port first, then random ports of `range` nobody holds.
    func candidatePorts(for key: String, label: String, in range: ClosedRange<Int>, count: Int = 32) -> [Int] {
        file.withLock { file in
            var candidates: [Int] = []
            if let earlier = file.keys[key]?.ports.first(where: { $0.label == label })?.port, range.contains(earlier) {
                candidates.append(earlier)
            }
            let held = Set(file.keys.values.flatMap { $0.ports.map(\.port) })
            let free = range.count - held.filter { range.contains($0) }.count
            guard free > 0 else { return candidates }
            var tries = 0
            while candidates.count < count, tries < count * 20 {
                tries += 1
                let port = Int.random(in: range)
                if !held.contains(port), !candidates.contains(port) { candidates.append(port) }
            }
            return candidates
        }
    }

    /// Reserves TCP `port` for `key` under `label`; refuses when another key
    /// holds it. With `movingLabel` (a port-0 request) the label keeps one
    /// port: its earlier one is let go.
    func claim(port: Int, label: String, for key: String, movingLabel: Bool = true) throws(RelayError) {
        let result: Result<Void, RelayError> = file.withLock { file in
            if let owner = file.keys.first(where: { $0.value.ports.contains(where: { $0.port == port }) })?.key,
                owner != key
            {
                return .failure(.refused("port \(port) is reserved by another key; ask for port 0 to get a free one"))
            }
            var entry = file.keys[key, default: KeyReservations()]
            if entry.ports.contains(PortReservation(label: label, port: port)) { return .success(()) }
            entry.ports.removeAll { (movingLabel && $0.label == label) || $0.port == port }
            guard entry.ports.count < Self.maximumPerKey else {
                return .failure(.refused("this key already holds \(Self.maximumPerKey) ports on this relay; reuse one of them"))
            }
            entry.ports.append(PortReservation(label: label, port: port))
            file.keys[key] = entry
            return Self.save(file, to: path)
        }
        try result.get()
    }

    private static func save(_ file: File, to path: String) -> Result<Void, RelayError> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(file)
            data.append(0x0A)
            try AtomicFile.write(Array(data), to: path, mode: 0o600)
            return .success(())
        } catch {
            return .failure(.refused("the relay could not save its reservations (\(error)); try again later"))
        }
    }
}
