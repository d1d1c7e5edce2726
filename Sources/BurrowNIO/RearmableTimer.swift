import NIOCore

/// A timeout that is armed and disarmed on every request but seldom fires
/// (a head deadline, a keep-alive timeout), without a scheduled task per
/// request.
///
/// Arming only notes the new deadline; one task on the loop checks it when
/// it comes due and, when the deadline has moved on since, schedules itself
/// again for the new one. Disarming forgets the deadline (the task, when it
/// runs, finds nothing to do). So a keep-alive connection's thousands of
/// requests cost a clock read each, not thousands of scheduled tasks,
/// promises and cancellations. It fires at the deadline of the last `arm`,
/// never before.
///
/// Only on its loop (as the handler that owns it). `fire` runs on the loop
/// and may hold its owner strongly (a weak reference would give the owner a
/// side table and make every retain of it slower): `cancel` lets go of it, so
/// the owner calls `cancel` when it leaves (`handlerRemoved`).
public final class RearmableTimer {
    private let loop: any EventLoop
    private var fire: (() -> Void)?
    /// When to fire; nil when disarmed.
    private var deadline: NIODeadline?
    /// The pending check and when it runs.
    private var check: Scheduled<Void>?
    private var checkAt = NIODeadline.uptimeNanoseconds(0)

    public init(loop: any EventLoop, fire: @escaping () -> Void) {
        self.loop = loop
        self.fire = fire
    }

    /// Armed: `fire` runs `timeout` from now unless `disarm`/`arm` comes first.
    public var isArmed: Bool { deadline != nil }

    /// Fires `timeout` from now (replacing any earlier deadline).
    public func arm(in timeout: TimeAmount) {
        let next = loop.now + timeout
        deadline = next
        if let check {
            // A check runs at or before the deadline: it reschedules itself.
            guard checkAt > next else { return }
            check.cancel()
        }
        schedule(at: next)
    }

    /// Does not fire (until armed again).
    public func disarm() {
        deadline = nil
    }

    /// Disarmed for good: the pending check is gone and `fire` is let go (the owner leaves).
    public func cancel() {
        deadline = nil
        fire = nil
        check?.cancel()
        check = nil
    }

    private func schedule(at time: NIODeadline) {
        checkAt = time
        check = loop.assumeIsolated().scheduleTask(deadline: time) { self.due() }
    }

    private func due() {
        check = nil
        guard let deadline else { return }
        if loop.now < deadline {
            schedule(at: deadline)
            return
        }
        self.deadline = nil
        fire?()
    }
}
