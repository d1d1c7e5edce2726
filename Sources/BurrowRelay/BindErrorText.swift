#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Why a port could not be bound, in the system's words ("address already
/// in use"): NIO's own text names its call site and nests parentheses
/// ("bind(descriptor:ptr:bytes:): … (errno: 98)"), which reads as noise
/// inside a refusal that the TUI and `burrow up` show as is.
enum BindErrorText {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return String(cString: strerror(error.errnoCode)).lowercased()
    }
}
