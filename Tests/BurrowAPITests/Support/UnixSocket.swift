import BurrowTestSupport
import Foundation

/// A raw client on a Unix socket, for what curl will not do (say nothing, or half a head).
enum UnixSocket {
    static func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect \(path): \(errno)")
        }
        return fd
    }

    /// Reads until EOF; returns the bytes read. Throws if the timeout passes first.
    static func readToEnd(_ fd: Int32, timeoutSeconds: Int) throws -> Int {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { return total }
            if count < 0 {
                if errno == EINTR { continue }
                throw TestFailure("still open after \(timeoutSeconds) s (errno \(errno))")
            }
            total += count
        }
    }

    /// Reads one response (head and a Content-Length body); returns the head.
    static func readResponseHead(_ fd: Int32) throws -> String {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            guard read(fd, &byte, 1) == 1 else { throw TestFailure("no response head") }
            data.append(byte)
        }
        let head = String(decoding: data, as: UTF8.self)
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        var body = [UInt8](repeating: 0, count: length)
        var got = 0
        while got < length {
            let count = body.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, length - got) }
            guard count > 0 else { throw TestFailure("short body") }
            got += count
        }
        return head
    }
}
