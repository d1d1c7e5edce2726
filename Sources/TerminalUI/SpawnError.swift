/// posix_spawn failed: `code` is its errno (ENOENT, EACCES, …).
public struct SpawnError: Error, Sendable, Equatable {
    public let code: Int32

    public init(code: Int32) {
        self.code = code
    }
}
