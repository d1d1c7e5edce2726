import BurrowConfig
import BurrowTestSupport
import Foundation

/// A stock OpenSSH `sshd` on loopback with its own config, host key and
/// authorized_keys (key auth only), as PITFALLS.md's baselines describe.
final class OpenSSHServer {
    static let executable = "/usr/sbin/sshd"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let port: Int
    let hostKeyLine: String
    private let directory: TestDirectory
    private let process: TestProcess

    init(authorizedKey: String) async throws {
        directory = try TestDirectory("burrow-sshd")
        let hostKey = Identity(privateKey: .init(), comment: "sshd-host")
        try directory.write("host_key", OpenSSHKey.encodePrivateKey(hostKey.privateKey, comment: "sshd-host"), mode: 0o600)
        hostKeyLine = hostKey.publicKeyLine
        try directory.write("authorized_keys", authorizedKey + "\n", mode: 0o600)
        port = try Ports.free()
        try directory.write("sshd_config", """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory.file("host_key"))
            AuthorizedKeysFile \(directory.file("authorized_keys"))
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            UsePAM no
            GatewayPorts clientspecified
            StrictModes no
            PidFile none

            """)
        // sshd's privilege separation needs this directory when run as root.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        process = try TestProcess(Self.executable, ["-D", "-e", "-f", directory.file("sshd_config")], output: .combined)
        try await process.waitForOutput("Server listening")
    }

    var log: String { process.text }

    func stop() {
        process.stop()
        directory.remove()
    }
}
