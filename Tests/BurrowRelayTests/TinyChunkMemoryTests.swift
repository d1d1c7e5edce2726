import BurrowTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A chunked body of 200 000 one-byte chunks (1.4 MB on the wire) must cost
/// the relay memory in proportion to the bytes it holds, not to the number
/// of pieces (issue 12 item 2). The agent (stock `ssh -R`) is stopped while
/// the body arrives, so everything the relay forwards waits in it; the relay
/// runs as `burrow serve` in its own process so its RSS can be read.
@Suite("Tiny chunks on the HTTP port", .spawnsProcesses, .tags(.slow), .timeLimit(.minutes(10)))
struct TinyChunkMemoryTests {
    /// VmRSS (now) or VmHWM (the peak) of a process, in kB.
    static func kilobytes(_ field: String, of pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }

    @Test("200 000 one-byte chunks held by a stopped agent cost the relay less than 64 MB")
    func tinyChunks() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let (_, local) = try await VisitorPathScripts.startService(kit)
        try kit.writeState("relay.json", #"{ "version": 1, "limits": { "newConnectionsPerSecondPerIP": 100000 } }"#)
        let (serve, sshPort, httpPort) = try await kit.serve()
        let ssh = try kit.ssh(key: key, sshPort: sshPort, forwards: ["web:80:127.0.0.1:\(local)"])
        _ = try await kit.waitUntilServed("http://web.localhost:\(httpPort)/ready")
        let before = Self.kilobytes("VmHWM", of: serve.pid)

        ssh.signal(SIGSTOP)
        // Sends the head, then each chunk in its own send (small segments), then waits for the answer.
        let script = try TestScripts.install("tiny_chunk_visitor.py", in: kit.directory, as: "tiny.py")
        let visitor = kit.track(try TestProcess("python3", ["-u", script, String(httpPort), "200000"]))
        _ = try await visitor.waitFor("SENT", timeout: .seconds(60))
        // The relay reads what the kernel holds for it at its own pace: give it time to take it all.
        try await Task.sleep(for: .seconds(8))
        ssh.signal(SIGCONT)
        let reply = try await visitor.waitFor("REPLY (.*)", timeout: .seconds(90))
        #expect(reply.hasPrefix("HTTP/1.1 200") && reply.contains("body=200000"), "\(reply)")
        let peak = Self.kilobytes("VmHWM", of: serve.pid)
        let grown = (peak - before) / 1024
        print("relay peak RSS \(before / 1024) MB before, \(peak / 1024) MB after the body (+\(grown) MB)")
        #expect(grown < 64, "the relay grew by \(grown) MB for a 1.4 MB body")
    }
}
