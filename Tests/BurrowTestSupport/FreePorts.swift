#if canImport(Glibc)
import Glibc
#endif

/// Loopback TCP ports free right now, for programs (pebble) that must be told
/// a port rather than report the one they bound. All are held open until all
/// are found, so one call never returns a port twice.
public enum FreePorts {
    public struct Failure: Error {}

    public static func take(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let (fd, port) = try bound()
            sockets.append(fd)
            ports.append(port)
        }
        return ports
    }

    /// A TCP socket bound to 127.0.0.1 on a port the kernel chose, not yet
    /// listening: the caller listens on it or closes it.
    public static func bound() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard named else {
            close(fd)
            throw Failure()
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
