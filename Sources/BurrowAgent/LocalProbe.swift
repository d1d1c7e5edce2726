import BurrowCore
import NIOCore
import NIOPosix

/// Whether a local service accepts a connection now (a connect, closed at
/// once): how a pooled mapping whose service went down learns it is back.
enum LocalProbe {
    static func answers(_ local: LocalAddress, on loop: any EventLoop) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(2))
                .connect(host: local.host, port: local.port)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
