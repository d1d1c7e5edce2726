import Foundation
import Testing

/// `python3 -m http.server` on 127.0.0.1, on a port the OS picks: the local
/// service a mapping shares. `stop()` in `defer`.
final class LocalHTTPServer {
    let pid: pid_t
    let port: Int
    private var stopped = false

    init(directory: String) async throws {
        let python = try #require(TmuxSession.which("python3"), "python3 is not installed")
        let logPath = directory + "/../http-server.log"
        pid = try Spawn.start(python, ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory], outputPath: logPath)
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        var found: Int?
        for _ in 0..<100 where found == nil {
            let text = String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
            if let range = text.range(of: " port "), let end = text[range.upperBound...].firstIndex(of: " ") {
                found = Int(text[range.upperBound..<end])
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let found else {
            kill(pid, SIGKILL)
            Spawn.wait(pid)
            throw POSIXError(.ETIMEDOUT)
        }
        port = found
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        // Bounded: SIGKILL if it has not gone within 3 s.
        var status: Int32 = 0
        for _ in 0..<60 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        Spawn.wait(pid)
    }
}
