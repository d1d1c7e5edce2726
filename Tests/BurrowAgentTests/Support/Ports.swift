import BurrowTestSupport

enum Ports {
    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, then released).
    static func free() throws -> Int {
        do { return try FreePorts.take(1)[0] } catch { throw TestFailure("no free loopback port: \(error)") }
    }
}
