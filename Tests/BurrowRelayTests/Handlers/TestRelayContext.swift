import Foundation
import NIOSSH
import Synchronization

@testable import BurrowRelay

/// A `RelayContext` for handler tests: a fresh state directory, no
/// sockets, and the log lines it writes kept for the test to read.
final class TestRelayContext: Sendable {
    let relay: RelayContext
    private let lines: Lines

    /// The log lines so far.
    var log: [String] { lines.value.withLock { $0 } }

    private final class Lines: Sendable {
        let value = Mutex<[String]>([])
    }

    init() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/burrow-handler-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = RelayConfiguration(stateDirectory: directory)
        let lines = Lines()
        self.lines = lines
        configuration.log = { line in lines.value.withLock { $0.append(line) } }
        relay = RelayContext(
            configuration: configuration, hostKey: NIOSSHPrivateKey(ed25519Key: .init()),
            reservations: try ReservationStore(path: directory + "/reservations.json"))
    }
}
