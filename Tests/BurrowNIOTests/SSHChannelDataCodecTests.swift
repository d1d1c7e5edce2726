import BurrowNIO
import NIOCore
import NIOEmbedded
import NIOSSH
import Testing

@Suite("SSHChannelDataCodec (EmbeddedChannel)")
struct SSHChannelDataCodecTests {
    @Test("channel data becomes bytes and back; stderr (extended data) is dropped")
    func codec() throws {
        let channel = EmbeddedChannel(handler: SSHChannelDataCodec())
        try channel.writeInbound(SSHChannelData(type: .channel, data: .byteBuffer(ByteBuffer(string: "up"))))
        try channel.writeInbound(SSHChannelData(type: .stdErr, data: .byteBuffer(ByteBuffer(string: "noise"))))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "up"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeOutbound(ByteBuffer(string: "down"))
        let sent = try #require(try channel.readOutbound(as: SSHChannelData.self))
        #expect(sent.type == .channel)
        guard case .byteBuffer(let bytes) = sent.data else { Issue.record("not a byte buffer"); return }
        #expect(bytes == ByteBuffer(string: "down"))
        _ = try channel.finish()
    }
}

@Suite("DatagramFrameDecoder (EmbeddedChannel)")
struct DatagramFrameDecoderTests {
    @Test("length-prefixed datagrams split across reads come out whole, one per datagram")
    func frames() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(DatagramFrameDecoder()))
        var stream = ByteBuffer()
        for payload in ["a", "", String(repeating: "x", count: 1_000)] {
            stream.writeInteger(UInt16(payload.utf8.count))
            stream.writeString(payload)
        }
        // One byte at a time: every split point.
        while let byte = stream.readSlice(length: 1) { try channel.writeInbound(byte) }
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "a")
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "")
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 1_000)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }
}

@Suite("ControlLineFramer")
struct ControlLineFramerTests {
    @Test("lines split anywhere come out whole, CR LF and empty lines handled, an overlong line is an overflow")
    func lines() {
        var framer = ControlLineFramer(maximumLineLength: 16)
        var all: [String] = []
        for piece in ["{\"a\":1}\r", "\n\n{\"b\"", ":2}\n{\"c\":3}", "\n"] {
            var bytes = ByteBuffer(string: piece)
            let (lines, overflow) = framer.feed(&bytes)
            #expect(!overflow)
            all += lines
        }
        #expect(all == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        var long = ByteBuffer(string: String(repeating: "x", count: 17))
        #expect(framer.feed(&long).overflow)
    }
}
