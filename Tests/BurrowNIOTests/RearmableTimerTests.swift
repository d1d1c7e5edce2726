import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing

/// The per-request timeout without a task per request, on an EmbeddedEventLoop's clock.
@Suite("RearmableTimer (EmbeddedEventLoop)")
struct RearmableTimerTests {
    final class Counter {
        var fired = 0
    }

    /// A timer on its own EmbeddedEventLoop that counts its firings.
    static func timer() -> (EmbeddedEventLoop, Counter, RearmableTimer) {
        let loop = EmbeddedEventLoop()
        let counter = Counter()
        return (loop, counter, RearmableTimer(loop: loop) { counter.fired += 1 })
    }

    @Test("fires once at its deadline, not before")
    func firesAtTheDeadline() {
        let (loop, counter, timer) = Self.timer()
        timer.arm(in: .seconds(10))
        loop.advanceTime(by: .seconds(9))
        #expect(counter.fired == 0)
        #expect(timer.isArmed)
        loop.advanceTime(by: .seconds(1))
        #expect(counter.fired == 1)
        #expect(!timer.isArmed)
        loop.advanceTime(by: .seconds(60))
        #expect(counter.fired == 1)
    }

    @Test("re-armed, it fires at the last deadline only")
    func rearmMovesTheDeadline() {
        let (loop, counter, timer) = Self.timer()
        timer.arm(in: .seconds(10))
        for _ in 0..<1000 {
            loop.advanceTime(by: .milliseconds(8))
            timer.arm(in: .seconds(10))
        }
        // 8 s passed; the last arm was for 10 s from now.
        loop.advanceTime(by: .seconds(9))
        #expect(counter.fired == 0, "fired at an old deadline")
        loop.advanceTime(by: .seconds(1))
        #expect(counter.fired == 1)
    }

    @Test("a shorter timeout than the pending check's still fires on time")
    func shorterTimeoutFiresOnTime() {
        let (loop, counter, timer) = Self.timer()
        timer.arm(in: .seconds(60))
        timer.arm(in: .seconds(5))
        loop.advanceTime(by: .seconds(5))
        #expect(counter.fired == 1)
        loop.advanceTime(by: .seconds(60))
        #expect(counter.fired == 1)
    }

    @Test("disarmed or cancelled, it does not fire; armed again, it does")
    func disarmAndCancel() {
        let (loop, counter, timer) = Self.timer()
        timer.arm(in: .seconds(10))
        timer.disarm()
        loop.advanceTime(by: .seconds(20))
        #expect(counter.fired == 0)
        timer.arm(in: .seconds(10))
        loop.advanceTime(by: .seconds(5))
        timer.disarm()
        timer.arm(in: .seconds(10))
        loop.advanceTime(by: .seconds(9))
        #expect(counter.fired == 0)
        loop.advanceTime(by: .seconds(1))
        #expect(counter.fired == 1)
        timer.arm(in: .seconds(10))
        timer.cancel()
        loop.advanceTime(by: .seconds(20))
        #expect(counter.fired == 1)
    }
}
