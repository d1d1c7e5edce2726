import NIOCore

/// Splits the `burrow-control` channel's byte stream into lines, for both
/// ends (the relay's `SessionChannelHandler`, the agent's
/// `ControlChannelHandler`): each complete line without its `\n` (and a
/// `\r` before it), empty lines dropped. An unfinished line longer than
/// `maximumLineLength` is an overflow: the caller closes the channel.
public struct ControlLineFramer {
    public let maximumLineLength: Int
    private var pending = ByteBuffer()

    public init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    /// Takes `bytes`; returns the lines they complete, and whether what is
    /// left unfinished is already too long.
    public mutating func feed(_ bytes: inout ByteBuffer) -> (lines: [String], overflow: Bool) {
        pending.writeBuffer(&bytes)
        var lines: [String] = []
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending.readString(length: newline - pending.readerIndex) ?? ""
            pending.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
        }
        let overflow = pending.readableBytes > maximumLineLength
        pending.discardReadBytes()
        return (lines, overflow)
    }
}
