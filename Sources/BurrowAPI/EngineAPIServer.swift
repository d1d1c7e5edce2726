#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowConfig
import BurrowCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The engine's local API: HTTP/1.1 on the Unix socket `CONFIG_DIR/engine.sock`,
/// mode 0600 (only the owner connects). Start it only while holding the
/// `EngineLock`: it replaces whatever socket file is there (a crashed engine's).
public final class EngineAPIServer: Sendable {
    public let socketPath: String
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let snapshots: SnapshotCache

    private init(socketPath: String, group: MultiThreadedEventLoopGroup, channel: any Channel, snapshots: SnapshotCache) {
        self.snapshots = snapshots
        self.socketPath = socketPath
        self.group = group
        self.channel = channel
    }

    /// Binds the socket and serves `engine` until `stop()`.
    /// - Parameter idleTimeout: a connection that completes no request for this long is closed.
    public static func start(
        configDirectory: String, engine: any TunnelEngine, hooks: EngineAPIHooks, idleTimeout: TimeAmount = .seconds(5)
    ) async throws -> EngineAPIServer {
        let path = EngineAPI.socketPath(configDirectory: configDirectory)
        let snapshots = SnapshotCache(engine: engine)
        let router = EngineAPIRouter(engine: engine, store: ConfigStore(directory: configDirectory), hooks: hooks, snapshots: snapshots)
        // Bound in a private (0700) folder, made 0600, then renamed into place:
        // there is no moment when another user could connect, whatever the
        // config directory's own mode. The rename also replaces a crashed engine's socket.
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        if folder != configDirectory { try privateFolder(folder) }
        let staging = folder + "/.engine-\(getpid())"
        let staged = staging + "/" + EngineAPI.socketName
        unlink(staged)
        rmdir(staging)
        guard mkdir(staging, 0o700) == 0 else {
            throw EngineAPIError.system("\(staging): cannot create: \(String(cString: strerror(errno)))")
        }
        defer {
            unlink(staged)
            rmdir(staging)
        }
        // One thread: answers come from snapshots; the data path runs on the engine's own loops.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                        try channel.pipeline.syncOperations.addHandler(EngineAPIHandler(router: router, idleTimeout: idleTimeout))
                    }
                }
                .bind(unixDomainSocketPath: staged)
                .get()
            guard chmod(staged, 0o600) == 0, rename(staged, path) == 0 else {
                let code = errno
                try? await channel.close()
                throw EngineAPIError.system("\(path): cannot put the socket in place: \(String(cString: strerror(code)))")
            }
            return EngineAPIServer(socketPath: path, group: group, channel: channel, snapshots: snapshots)
        } catch {
            snapshots.stop()
            try? await group.shutdownGracefully()
            if let known = error as? EngineAPIError { throw known }
            throw EngineAPIError.system("\(path): cannot listen: \(error)")
        }
    }

    /// The per-user socket folder for long config paths: made 0700 if absent,
    /// and used only if it is a real folder of this user that nobody else may enter.
    private static func privateFolder(_ folder: String) throws {
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw EngineAPIError.system("\(folder): cannot create: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(),
              info.st_mode & 0o077 == 0 else {
            throw EngineAPIError.system("\(folder): not a private folder of this user (mode 0700); remove it and try again")
        }
    }

    /// Stops listening, closes every connection and removes the socket file.
    public func stop() async {
        snapshots.stop()
        try? await channel.close()
        unlink(socketPath)
        try? await group.shutdownGracefully()
    }
}
