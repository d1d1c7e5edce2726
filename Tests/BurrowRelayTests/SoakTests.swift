import BurrowTestSupport
import Foundation
import Testing

/// `scripts/soak` at a small size: the real `burrow serve` and `burrow up`,
/// visitors over an HTTP and a TCP mapping with checksummed payloads, a kill
/// and restart of each, slowloris and garbage beside them; zero corrupted
/// visitors, RSS within 10 % and descriptors back to their baseline.
@Suite("Soak (small)", .spawnsProcesses, .tags(.slow), .timeLimit(.minutes(10)))
struct SoakTests {
    @Test("scripts/soak --visitors 40 --duration 8 (with silent kept-alive and tiny-chunk visitors) passes")
    func smallSoak() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let soak = try await TestProcess.run(
            root + "/scripts/soak", ["--visitors", "40", "--duration", "8", "--silent", "50", "--tiny", "2", "--chunks", "20000", "--burrow", RelayTestKit.burrowBinary],
            timeout: .seconds(150))
        #expect(soak.exitStatus == 0, "\(soak.stdout)\n\(soak.stderr)")
        #expect(soak.stdout.contains("corrupted 0"), "\(soak.stdout)")
        #expect(soak.stdout.contains("killed and restarted the relay under load"))
        #expect(soak.stdout.contains("killed and restarted the agent under load"))
        #expect(soak.stdout.contains("silent reaped by the relay 50"), "\(soak.stdout)")
        #expect(soak.stdout.contains("tiny-chunk body delivered whole 2"), "\(soak.stdout)")
        #expect(soak.stdout.contains("PASS"))
    }
}
