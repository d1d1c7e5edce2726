import Logging
import PostgresNIO

/// The fleet's tables, created and migrated by the relays themselves.
///
/// `burrow_schema` lists the versions applied. Each relay, at start, takes
/// a transaction-scoped advisory lock (so two relays starting at once take
/// turns), applies the migrations newer than the highest version listed, in
/// order, and commits. Migrations only ever add (`CREATE … IF NOT EXISTS`,
/// new columns); a database migrated by a newer relay than this one is
/// refused, never touched.
enum ClusterSchema {
    /// pg_advisory_xact_lock key for migrations ("burrow" in ASCII, as a number).
    static let migrationLock: Int64 = 0x62_75_72_72_6F_77

    /// Migration N is `migrations[N - 1]`, one statement per element.
    static let migrations: [[String]] = [
        [
            // Names per key. PRIMARY KEY (name): two members can never give one name to two keys.
            """
            CREATE TABLE IF NOT EXISTS burrow_names (
                name text PRIMARY KEY,
                key text NOT NULL,
                auto boolean NOT NULL DEFAULT false,
                member text NOT NULL DEFAULT '',
                claimed_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX IF NOT EXISTS burrow_names_key ON burrow_names (key)",
            // TCP/UDP ports per key, under the forward's label (its bind host).
            """
            CREATE TABLE IF NOT EXISTS burrow_ports (
                port integer PRIMARY KEY CHECK (port BETWEEN 1024 AND 65535),
                key text NOT NULL,
                label text NOT NULL,
                member text NOT NULL DEFAULT '',
                claimed_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX IF NOT EXISTS burrow_ports_key ON burrow_ports (key)",
            // One row per relay, keyed by its advertised SSH endpoint; last_seen by the database's clock.
            """
            CREATE TABLE IF NOT EXISTS burrow_members (
                id text PRIMARY KEY,
                endpoint text NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                last_seen timestamptz NOT NULL DEFAULT now())
            """,
        ]
    ]

    static var currentVersion: Int { migrations.count }

    /// Brings the database to `currentVersion`; returns the version found before.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection -> Int in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS burrow_schema (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var found = 0
            for try await version in try await connection.query("SELECT coalesce(max(version), 0) FROM burrow_schema", logger: logger)
                .decode(Int.self)
            {
                found = version
            }
            guard found <= currentVersion else {
                throw ClusterError.schema(
                    "the fleet's database has schema version \(found), newer than this relay knows (\(currentVersion)); upgrade burrow on this relay")
            }
            for version in (found + 1)..<(currentVersion + 1) {
                for statement in migrations[version - 1] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO burrow_schema (version) VALUES (\(version))", logger: logger)
            }
            return found
        }
    }
}
