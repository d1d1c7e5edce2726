import BurrowTestSupport
import Foundation

/// A plain blocking TCP client with timeouts, for visitors in tests.
final class BlockingSocket: Sendable {
    private let fd: Int32

    init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 20) throws {
        // A local descriptor until connected: if init throws after `self.fd`
        // is set, deinit runs and would close it a second time (by then the
        // number may belong to another thread's socket: NIO traps on EBADF).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw TestFailure("connect to \(host):\(port) failed: errno \(code)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestFailure("send failed: errno \(errno)") }
            offset += written
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads up to `count` bytes (fewer at EOF).
    func read(count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < count {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - result.count), 0) }
            if got == 0 { break }
            guard got > 0 else {
                let code = errno
                if code == ECONNRESET { throw Reset(after: result.count) }
                throw TestFailure("recv failed: errno \(code) after \(result.count) bytes")
            }
            result += chunk[0..<got]
        }
        return result
    }

    /// The peer reset the connection after `after` bytes.
    struct Reset: Error, CustomStringConvertible {
        let after: Int
        var description: String { "connection reset by the peer after \(after) bytes" }
    }

    /// Reads until the peer closes.
    func readToEnd(limit: Int = 64 << 20) throws -> [UInt8] {
        try read(count: limit)
    }

    /// Off the cooperative pool: connects to `port`, sends `bytes`, half-closes
    /// (the echo server answers, then closes) and reads until EOF.
    static func exchange(host: String = "127.0.0.1", port: Int, _ bytes: [UInt8]) async throws -> [UInt8] {
        try await Task.detached {
            let visitor = try BlockingSocket(host: host, port: port)
            try visitor.send(bytes)
            visitor.shutdownWrite()
            return try visitor.readToEnd()
        }.value
    }
}
