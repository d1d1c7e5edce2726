import NIOCore
import NIOSSH
import Synchronization

/// What every session and every visitor handler of one relay shares.
final class RelayContext: Sendable {
    let configuration: RelayConfiguration
    let hostKey: NIOSSHPrivateKey
    let authorizedKeys: AuthorizedKeys
    let reservations: ReservationStore
    let registry = ForwardRegistry()
    /// The HTTP port actually bound (the configuration may say 0).
    let httpPort = Atomic<Int>(0)
    /// The TLS port actually bound (0 = no TLS listener).
    let tlsPort = Atomic<Int>(0)
    /// Visitors connected right now, for the drain at shutdown.
    let openVisitors = Atomic<Int>(0)
    /// False once shutdown began: listeners refuse new visitors.
    let accepting = Atomic<Bool>(true)
    private let nextID = Atomic<UInt64>(1)

    init(configuration: RelayConfiguration, hostKey: NIOSSHPrivateKey, reservations: ReservationStore) {
        self.configuration = configuration
        self.hostKey = hostKey
        self.reservations = reservations
        let log = configuration.log ?? { _ in }
        self.authorizedKeys = AuthorizedKeys(path: configuration.stateDirectory + "/authorized_keys", log: log)
    }

    func log(_ line: String) {
        configuration.log?(line)
    }

    func makeID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Counts a visitor until its channel closes.
    func track(visitor channel: any Channel) {
        openVisitors.wrappingAdd(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in
            self.openVisitors.wrappingSubtract(1, ordering: .relaxed)
        }
    }
}
