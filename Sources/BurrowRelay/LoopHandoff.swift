import NIOCore

/// Carries a non-Sendable object (a channel handler, a session) to the event
/// loop that owns it.
///
/// Why `@unchecked Sendable` is safe here: every owner of a `LoopHandoff`
/// touches `value` only on `loop` — through `run`, which hops there, or after
/// checking `loop.inEventLoop` — so the object is never used from two threads.
struct LoopHandoff<Value: AnyObject>: @unchecked Sendable {
    let value: Value
    let loop: any EventLoop

    init(_ value: Value, loop: any EventLoop) {
        self.value = value
        self.loop = loop
    }

    /// Runs `body` with the value on its loop: at once when already there, else as a task.
    func run(_ body: @escaping @Sendable (Value) -> Void) {
        if loop.inEventLoop {
            body(value)
        } else {
            loop.execute { body(self.value) }
        }
    }
}
