import BurrowTestSupport
import Foundation
import Testing

/// A TCP mapping whose remote port is taken on the relay says so in plain
/// words, without NIO's call site and a stray ")".
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct BindRefusalTextTests {
    /// Listens on 127.0.0.1 on a port of the embedded relay's TCP range; the fd stays open.
    static func holdPort() throws -> (fd: Int32, port: Int) {
        for port in (20900...20999).shuffled() {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound, listen(fd, 1) == 0 { return (fd, port) }
            close(fd)
        }
        throw WaitTimeout(what: "a free port in 20900-20999", screen: "")
    }

    @Test func aTakenRemotePortIsRefusedInPlainWords() async throws {
        let burrow = TUIEndToEndTests.burrowPath
        let root = try TUIEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let held = try Self.holdPort()
        defer { close(held.fd) }
        let config = root + "/config"
        #expect(try Spawn.run(burrow, ["map", "add", "tcp", "5432", "--name", "pg", "--remote-port", String(held.port), "--config-dir", config]).status == 0)
        let tmux = try await TmuxSession.atPrompt(config: config, columns: 160, rows: 40)
        defer { tmux.kill() }
        try tmux.enter(burrow)
        let screen = try await tmux.waitFor("the refusal in the log", seconds: 60) { $0.contains("cannot be bound on the relay") }
        #expect(screen.contains("port \(held.port) cannot be bound on the relay: address already in use"), "\(screen)")
        #expect(!screen.contains("))"))
        #expect(!screen.contains("descriptor:"))
        try await tmux.quitTUI()
    }
}
