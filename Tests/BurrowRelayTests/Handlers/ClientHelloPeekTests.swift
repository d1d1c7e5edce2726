import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// The ACME ALPN peek on an EmbeddedChannel, with ClientHello records built
/// by hand as RFC 8446 §4.1.2 lays them out (SNI, RFC 6066 §3; ALPN, RFC
/// 7301 §3.1): TLS 1.2 record, random, session id, two suites, extensions.
@Suite("ClientHelloPeek (EmbeddedChannel)")
struct ClientHelloPeekTests {
    private static func vector16(_ bytes: [UInt8]) -> [UInt8] { [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xff)] + bytes }

    private static func extensionBlock(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
        [UInt8(type >> 8), UInt8(type & 0xff)] + vector16(data)
    }

    static func clientHello(serverName: String, alpn: [String]) -> [UInt8] {
        let name = Array(serverName.utf8)
        var extensions = extensionBlock(0x0000, vector16([0x00] + vector16(name)))
        if !alpn.isEmpty {
            extensions += extensionBlock(0x0010, vector16(alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }))
        }
        var body: [UInt8] = [0x03, 0x03] + (0..<32).map { UInt8($0) }  // legacy_version, random
        body += [32] + [UInt8](repeating: 0xab, count: 32)  // legacy_session_id
        body += vector16([0x13, 0x01, 0xc0, 0x2f])  // cipher_suites
        body += [0x01, 0x00]  // legacy_compression_methods
        body += vector16(extensions)
        let handshake: [UInt8] = [0x01, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
        return [0x16, 0x03, 0x01] + vector16(handshake)
    }

    /// Feeds `reads`; returns whether the peek saw ACME and what it passed on.
    private func peek(_ reads: [[UInt8]]) throws -> (offersACME: Bool, passed: [UInt8]) {
        let peek = ClientHelloPeek()
        let channel = EmbeddedChannel(handler: peek)
        var passed: [UInt8] = []
        for read in reads {
            try channel.writeInbound(ByteBuffer(bytes: read))
            while let buffer = try channel.readInbound(as: ByteBuffer.self) { passed += buffer.readableBytesView }
        }
        _ = try channel.finish()
        return (peek.offersACME, passed)
    }

    @Test("acme-tls/1 among the ALPN protocols is seen; the bytes pass untouched")
    func offersACME() throws {
        let hello = Self.clientHello(serverName: "shop.example.com", alpn: ["h2", "acme-tls/1"])
        let result = try peek([hello])
        #expect(result.offersACME)
        #expect(result.passed == hello)
    }

    @Test("no ALPN, other protocols, or a longer name that starts with acme-tls/1: not ACME", arguments: [
        [String](), ["h2", "http/1.1"], ["acme-tls/10"], ["acme-tls/"],
    ])
    func notACME(alpn: [String]) throws {
        let hello = Self.clientHello(serverName: "acme-tls.example.com", alpn: alpn)
        let result = try peek([hello])
        #expect(!result.offersACME)
        #expect(result.passed == hello)
    }

    @Test("the ClientHello split in two reads at any byte is still seen")
    func splitAnywhere() throws {
        let hello = Self.clientHello(serverName: "a.example", alpn: ["acme-tls/1"])
        for cut in 1..<hello.count {
            let result = try peek([Array(hello[..<cut]), Array(hello[cut...])])
            #expect(result.offersACME, "missed when cut at \(cut)")
            #expect(result.passed == hello)
        }
    }

    @Test("only the first 16 KiB are looked at; later bytes still pass")
    func window() throws {
        let filler = [UInt8](repeating: 0x16, count: ClientHelloPeek.window - ClientHelloPeek.needle.count + 1)
        let result = try peek([filler, ClientHelloPeek.needle, [1, 2, 3]])
        #expect(!result.offersACME)
        #expect(result.passed == filler + ClientHelloPeek.needle + [1, 2, 3])
        let justIn = [UInt8](repeating: 0x16, count: ClientHelloPeek.window - ClientHelloPeek.needle.count)
        #expect(try peek([justIn, ClientHelloPeek.needle]).offersACME)
    }
}
