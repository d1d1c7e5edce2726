import BurrowTestSupport
import Foundation

/// A python3 TCP proxy from a port of its own to `target` on 127.0.0.1. A test
/// freezes it with SIGSTOP to make a path that stops answering without closing
/// (the kernel keeps both TCP connections open, nothing moves), and thaws it
/// with SIGCONT. It also holds one address steady while what is behind it
/// changes (`retarget`): a test that restarts a relay keeps its port.
final class FreezableProxy {
    let port: Int
    private let script: PythonScript

    init(to target: Int) async throws {
        script = try PythonScript("freezable_proxy.py", label: "burrow-proxy") { directory in
            try directory.write("target", String(target))
            return [directory.file("target")]
        }
        let line = try await script.process.waitForLine(startingWith: "PORT ")
        guard let port = Int(line.trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("proxy printed no port: PORT \(line)") }
        self.port = port
    }

    /// New connections go to `port` from now on.
    func retarget(_ port: Int) throws {
        try script.directory.write("target", String(port))
    }

    func freeze() { kill(script.process.pid, SIGSTOP) }
    func thaw() { kill(script.process.pid, SIGCONT) }

    func stop() {
        thaw()
        script.stop(signal: SIGKILL)
    }
}
