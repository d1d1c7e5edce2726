import NIOCore

/// Carries a non-Sendable object (a channel handler, a session) to the event
/// loop that owns it.
///
/// Why not NIO's `NIOLoopBound`: that must be created on its loop, and a
/// handoff is made before the object's loop runs it (the relay pairs a
/// visitor's glue with one for an SSH channel on another loop, and hands a
/// session to visitors accepted elsewhere). Like `NIOLoopBound`, `value`
/// checks the loop (in debug builds).
///
/// Why `@unchecked Sendable` is safe here: every owner of a `LoopHandoff`
/// touches `value` only on `loop` — through `run`, which hops there, or after
/// checking `loop.inEventLoop` — so the object is never used from two threads.
public struct LoopHandoff<Value: AnyObject>: @unchecked Sendable {
    private let object: Value
    public let loop: any EventLoop

    public init(_ value: Value, loop: any EventLoop) {
        self.object = value
        self.loop = loop
    }

    /// The object; only on `loop`.
    public var value: Value {
        loop.assertInEventLoop()
        return object
    }

    /// Runs `body` with the value on its loop: at once when already there, else as a task.
    public func run(_ body: @escaping @Sendable (Value) -> Void) {
        if loop.inEventLoop {
            body(object)
        } else {
            loop.execute { body(self.object) }
        }
    }
}
