#if canImport(Glibc)
import Glibc
#endif

/// SwiftNIO opens its sockets without close-on-exec, and `swift test` runs
/// every suite in one process: a child spawned while a relay runs in it
/// would inherit that relay's listeners and visitor connections and hold
/// them open after the relay closed them (a port "still in use", a visitor
/// never seeing its close). Every spawn closes descriptors 3 and up in the
/// child.
public enum InheritedDescriptors {
    public static func closeAbove2(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
        // glibc ≥ 2.34; looked up by name as it is a GNU extension.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        #endif
    }
}
