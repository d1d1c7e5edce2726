import ArgumentParser
import BurrowCertificates
import Foundation

extension Burrow {
    /// `burrow trust`: where the local CA is and how to trust it.
    struct Trust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Show (and on request install) the local certificate authority behind https://NAME.localhost URLs.",
            discussion: """
                On one machine (the embedded relay, names under .localhost) Burrow \
                signs https certificates with a certificate authority of its own, \
                made once in CONFIG_DIR/local-ca.pem (its key local-ca-key.pem, \
                mode 0600). The authority can sign only names under .localhost: \
                its certificate carries a name constraint that browsers and curl \
                enforce. Nothing is installed unless you pass --install.

                Examples:
                  burrow trust
                  sudo burrow trust --install --config-dir ~/.config/burrow
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Copy the authority into the system's trust store (/usr/local/share/ca-certificates, then update-ca-certificates). Needs root.")
        var install = false

        func run() async throws {
            let directory = global.store().directory
            let authority: LocalCertificateAuthority
            do {
                authority = try LocalCertificateAuthority.loadOrCreate(directory: directory)
            } catch {
                throw ValidationError("\(error)")
            }
            let path = authority.certificatePath
            CLIOutput.line("Burrow's local certificate authority: \(path)")
            CLIOutput.line("SHA-256 fingerprint: \(authority.fingerprint)")
            CLIOutput.line("It signs only names under .localhost (a name constraint in the certificate says so).")
            CLIOutput.line("")
            CLIOutput.line("Trust it in:")
            CLIOutput.line("  curl     curl --cacert \(path) https://web.localhost:8443/")
            CLIOutput.line("  Debian   sudo cp \(path) /usr/local/share/ca-certificates/burrow-local-ca.crt && sudo update-ca-certificates")
            CLIOutput.line("  Fedora   sudo trust anchor --store \(path)")
            CLIOutput.line("  macOS    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain \(path)")
            CLIOutput.line("  Firefox  certutil -d sql:$HOME/.mozilla/firefox/PROFILE -A -t C,, -n 'Burrow local CA' -i \(path)")
            CLIOutput.line("  (or: burrow trust --install, as root, for the system store)")
            guard install else { return }
            try Self.installIntoSystemStore(path)
        }

        /// Debian's way: a .crt under /usr/local/share/ca-certificates, then update-ca-certificates.
        /// Where `--install` puts the authority (Debian's system store).
        static let systemStorePath = "/usr/local/share/ca-certificates/burrow-local-ca.crt"

        /// Whether this very authority is in the system store (as `--install` leaves it).
        static func isInstalled(_ authority: LocalCertificateAuthority) -> Bool {
            guard let installed = try? String(contentsOfFile: systemStorePath, encoding: .utf8),
                  let ours = try? String(contentsOfFile: authority.certificatePath, encoding: .utf8) else { return false }
            return installed == ours
        }

        static func installIntoSystemStore(_ path: String) throws {
            let target = systemStorePath
            guard let updater = ["/usr/sbin/update-ca-certificates", "/usr/bin/update-ca-certificates"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw ValidationError("update-ca-certificates not found: install the ca-certificates package, or use the command for your system above")
            }
            guard access("/usr/local/share/ca-certificates", W_OK) == 0 else {
                throw ValidationError("cannot write /usr/local/share/ca-certificates: run as root (sudo burrow trust --install --config-dir \(AtomicPath.parent(of: path)))")
            }
            let pem = try String(contentsOfFile: path, encoding: .utf8)
            try pem.write(toFile: target, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: updater)
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("\(updater) failed (exit \(process.terminationStatus)); \(target) was written")
            }
            CLIOutput.line("Installed \(target) and ran \(updater).")
        }
    }
}

/// The directory part of a path, for messages.
enum AtomicPath {
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}
