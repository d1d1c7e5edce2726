import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The fleet's PostgreSQL through postgres-nio's `PostgresClient` (a pool
/// of up to 8 connections). Every operation has a deadline, so nothing in the
/// relay ever waits on a database that stopped answering; after repeated
/// failures the client is replaced by a fresh one (its pool starts over
/// rather than waiting out its own back-off).
final class ClusterDatabase: Sendable {
    let address: ClusterAddress
    /// How long one transaction may take before the caller is told the database is unreachable.
    let deadline: Duration
    private let group: any EventLoopGroup
    private let current: Mutex<(client: PostgresClient, runner: Task<Void, Never>)?>
    static let logger = Logger(label: "burrow.cluster", factory: { _ in SwiftLogNoOpLogHandler() })

    init(address: ClusterAddress, deadline: Duration = .seconds(3), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.address = address
        self.deadline = deadline
        self.group = group
        self.current = Mutex(nil)
    }

    private func makeClient() -> PostgresClient {
        var configuration: PostgresClient.Configuration
        if let socket = address.socketPath {
            configuration = .init(unixSocketPath: socket, username: address.user, password: address.password, database: address.database)
        } else {
            // TLS when the server offers it (postgres-nio's default: prefer).
            configuration = .init(
                host: address.host, port: address.port, username: address.user, password: address.password,
                database: address.database, tls: .prefer(.makeClientConfiguration()))
        }
        configuration.options.connectTimeout = .seconds(2)
        configuration.options.maximumConnections = 8
        configuration.options.minimumConnections = 0
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(15))
        return PostgresClient(configuration: configuration, eventLoopGroup: group)
    }

    /// The client in use, started on first use.
    private var client: PostgresClient {
        current.withLock { current in
            if let current { return current.client }
            let client = makeClient()
            current = (client, Task { await client.run() })
            return client
        }
    }

    /// Drops the client (its connections close) and starts a fresh one on next use.
    func reconnect() {
        let old = current.withLock { current in
            defer { current = nil }
            return current
        }
        old?.runner.cancel()
    }

    /// Closes the connections for good (shutdown).
    func close() {
        reconnect()
    }

    /// Runs `body` in one transaction, within `deadline` (this database's unless given).
    func transaction<T: Sendable>(
        _ what: String, deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = client
        return try await Deadline.run(deadline ?? self.deadline, what) {
            do {
                return try await client.withTransaction(logger: Self.logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                // Our own answer (a refusal) from inside the transaction, rolled back: as it is.
                if let answer = error.closureError, error.rollbackError == nil, !(answer is PSQLError) { throw answer }
                throw ClusterError.unreachable(ClusterError.describe(error))
            }
        }
    }

    /// Runs `body` on one connection (no transaction), within `deadline` (this database's unless given).
    func withConnection<T: Sendable>(
        _ what: String, deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = client
        return try await Deadline.run(deadline ?? self.deadline, what) {
            try await client.withConnection { connection in try await body(connection) }
        }
    }

    /// One connection of its own, opened and closed: at start, so a database
    /// that is down is reported with its real reason (connection refused,
    /// password authentication failed, no such database) within `deadline`,
    /// not as a pool's time-out.
    func probe() async throws {
        var configuration: PostgresConnection.Configuration
        if let socket = address.socketPath {
            configuration = .init(unixSocketPath: socket, username: address.user, password: address.password, database: address.database)
        } else {
            configuration = .init(
                host: address.host, port: address.port, username: address.user, password: address.password,
                database: address.database, tls: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())))
        }
        configuration.options.connectTimeout = .seconds(2)
        let loop = group.next()
        let settings = configuration
        try await Deadline.run(deadline, "connecting") {
            let connection = try await PostgresConnection.connect(on: loop, configuration: settings, id: 1, logger: Self.logger).get()
            try? await connection.close().get()
        }
    }

    /// Creates or migrates the schema (see `ClusterSchema`).
    func migrate() async throws -> Int {
        let client = client
        return try await Deadline.run(deadline * 3, "migrating the schema") {
            try await ClusterSchema.migrate(client, logger: Self.logger)
        }
    }
}
