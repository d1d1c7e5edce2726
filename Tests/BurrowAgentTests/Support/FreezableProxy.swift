import BurrowTestSupport
import Foundation

/// A python3 TCP proxy from a port of its own to `target` on 127.0.0.1. A test
/// freezes it with SIGSTOP to make a path that stops answering without closing
/// (the kernel keeps both TCP connections open, nothing moves), and thaws it
/// with SIGCONT. It also holds one address steady while what is behind it
/// changes (`retarget`): a test that restarts a relay keeps its port.
final class FreezableProxy {
    static let script = TestScripts.read("freezable_proxy.py")

    let port: Int
    private let directory: TestDirectory
    private let process: TestProcess

    init(to target: Int) async throws {
        directory = try TestDirectory("burrow-proxy")
        try directory.write("proxy.py", Self.script)
        try directory.write("target", String(target))
        process = try TestProcess("/usr/bin/env", ["python3", "-u", directory.file("proxy.py"), directory.file("target")])
        let line = try await process.waitForLine(startingWith: "PORT ")
        guard let port = Int(line.trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("proxy printed no port: PORT \(line)") }
        self.port = port
    }

    /// New connections go to `port` from now on.
    func retarget(_ port: Int) throws {
        try directory.write("target", String(port))
    }

    func freeze() { kill(process.pid, SIGSTOP) }
    func thaw() { kill(process.pid, SIGCONT) }

    func stop() {
        thaw()
        process.stop(signal: SIGKILL)
        directory.remove()
    }
}
