import ArgumentParser
import BurrowAPI
import BurrowConfig

/// The engine running for the config directory, for commands that need one.
enum RunningEngine {
    /// The client, or nil when none runs. A version mismatch or an engine that
    /// does not answer is a one-line error (exit 1).
    static func find(_ store: ConfigStore, command: String, anyVersion: Bool = false) async throws -> EngineAPIClient? {
        do {
            return try await EngineAPIClient.connect(configDirectory: store.directory, anyVersion: anyVersion)
        } catch {
            StandardError.write("burrow \(command): \(error)\n")
            throw ExitCode.failure
        }
    }

    /// The client, or a clear message and exit 1 when none runs.
    static func require(_ store: ConfigStore, command: String) async throws -> EngineAPIClient {
        guard let client = try await find(store, command: command) else {
            StandardError.write("burrow \(command): no engine is running for \(store.directory): start one with `burrow up --detach` (or `burrow up`, or the TUI)\n")
            throw ExitCode.failure
        }
        return client
    }

    /// Runs `body`, turning an API error into one line on stderr and exit 1.
    static func call<T>(_ command: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EngineAPIError {
            StandardError.write("burrow \(command): \(error)\n")
            throw ExitCode.failure
        }
    }
}
