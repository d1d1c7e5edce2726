import BurrowRelayFuzzing
import Foundation
import Testing

/// The fuzz entry (now its own module, out of the shipped relay) still runs
/// the real HTTP pipeline: every seed of the fuzz corpus gets a whole HTTP
/// response or nothing, and the two routes it knows answer as documented.
@Suite struct HTTPRouterProbeTests {
    static func answer(_ text: String, cut: Int = 1000) -> String {
        let bytes = Array(text.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: cut).map { Array(bytes[$0..<min($0 + cut, bytes.count)]) }
        return String(decoding: HTTPRouterProbe.feed(chunks), as: UTF8.self)
    }

    @Test func unknownNameIs404AndAnAgentAwayIs502() {
        #expect(Self.answer("GET / HTTP/1.1\r\nHost: nobody.example.com\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        #expect(Self.answer("GET / HTTP/1.1\r\nHost: held.example.com\r\n\r\n", cut: 3).hasPrefix("HTTP/1.1 502 "))
        #expect(Self.answer("GET / HTTP/1.1\r\nHost: held.example.com\r\n").hasPrefix("HTTP/1.1 408 "))
    }

    @Test func everyCorpusSeedGetsAWholeResponseOrNothing() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/http").path
        let seeds = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!seeds.isEmpty)
        for seed in seeds {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: corpus + "/" + seed)))
            guard let first = bytes.first else { continue }
            let body = Array(bytes.dropFirst())
            let step = max(1, Int(first))
            let chunks = stride(from: 0, to: body.count, by: step).map { Array(body[$0..<min($0 + step, body.count)]) }
            let answer = String(decoding: HTTPRouterProbe.feed(chunks), as: UTF8.self)
            #expect(answer.isEmpty || (answer.hasPrefix("HTTP/1.1 ") && answer.contains("\r\n\r\n")), "\(seed): \(answer.prefix(80))")
        }
    }
}
