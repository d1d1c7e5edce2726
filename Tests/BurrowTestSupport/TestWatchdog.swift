#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Makes a stuck test run say where it is stuck instead of going quiet.
///
/// `swift test` relays the test process's output block-buffered when it is
/// not a terminal: one CI run hung, was killed at CI's time limit, and its
/// log stopped mid-word a few kilobytes before the end, naming nothing. So a
/// thread of its own (never a cooperative one) names every process-starting
/// test (`SpawnsProcesses`) still running after `warnAfter`, and after
/// `giveUpAfter` ends the process with the names of the tests in flight and
/// the processes around them: once this process ends, `swift test` prints
/// everything it held, so the log says which test hung.
final class TestWatchdog: Sendable {
    static let shared = TestWatchdog()

    /// No process test here needs more than a few minutes, even gated behind others.
    static let warnAfter: Duration = .seconds(300)
    static let giveUpAfter: Duration = .seconds(1200)

    private struct Running {
        var name: String
        var since: ContinuousClock.Instant
        var warned = false
    }

    private let running = Mutex<(next: Int, tests: [Int: Running])>((0, [:]))

    private init() {
        let thread = Thread { [self] in watch() }
        thread.name = "burrow-test-watchdog"
        thread.start()
    }

    func begin(_ name: String) -> Int {
        running.withLock { state in
            state.next += 1
            state.tests[state.next] = Running(name: name, since: .now)
            return state.next
        }
    }

    func end(_ id: Int) {
        _ = running.withLock { $0.tests.removeValue(forKey: id) }
    }

    private func watch() {
        while true {
            sleep(2)
            let now = ContinuousClock.now
            let (late, stuck, inFlight) = running.withLock { state -> ([String], Bool, [String]) in
                var late: [String] = []
                var stuck = false
                for (id, test) in state.tests {
                    let age = now - test.since
                    if age > Self.warnAfter, !test.warned {
                        state.tests[id]?.warned = true
                        late.append(test.name)
                    }
                    if age > Self.giveUpAfter { stuck = true }
                }
                let inFlight = state.tests.values.map { "\($0.name) (\(Int((now - $0.since).components.seconds)) s)" }
                return (late, stuck, inFlight.sorted())
            }
            for name in late {
                say("watchdog: '\(name)' is still running after \(Self.warnAfter.components.seconds) s")
            }
            if stuck {
                say("watchdog: a test ran past \(Self.giveUpAfter.components.seconds) s; tests in flight: \(inFlight.joined(separator: "; "))")
                say("watchdog: processes under this one:\n" + children())
                say("watchdog: ending the test run (exit 1) instead of hanging until CI's time limit")
                _exit(1)
            }
        }
    }

    /// Straight to descriptor 2, past any buffer.
    private func say(_ line: String) {
        let text = "\n" + line + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    /// `ps` of every process (this run's children among them), for the give-up message.
    private func children() -> String {
        let result = try? SpawnedProcess.run("/bin/ps", ["-eo", "pid,ppid,etimes,stat,args", "--forest"])
        guard let listing = result?.stdout else { return "(ps failed)" }
        // Kernel threads (`[kthreadd]`…) are noise here.
        return listing.split(separator: "\n").filter { !$0.contains(" [") && !$0.contains("\\_ [") }.joined(separator: "\n")
    }
}
