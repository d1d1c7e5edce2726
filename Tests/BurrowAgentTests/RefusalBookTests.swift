@testable import BurrowAgent
import Testing

/// The refusal reason a forward's failure waits for: found whether it came
/// before the failure or after, without polling.
@Suite struct RefusalBookTests {
    @Test func aReasonRecordedFirstIsReturnedAtOnce() async {
        let book = RefusalBook()
        book.record("taken", for: "web")
        #expect(await book.reason(for: "web", within: .seconds(5)) == "taken")
        #expect(book.take("web") == nil)
    }

    @Test func aReasonRecordedLaterWakesTheWaiter() async {
        let book = RefusalBook()
        let started = ContinuousClock.now
        async let reason = book.reason(for: "web", within: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        book.record("taken", for: "web")
        #expect(await reason == "taken")
        #expect(ContinuousClock.now - started < .seconds(60))  // woken, not timed out
        #expect(book.take("web") == nil)  // handed to the waiter, not kept
    }

    @Test func noReasonEndsWithNilAfterTheTimeout() async {
        let book = RefusalBook()
        #expect(await book.reason(for: "web", within: .milliseconds(50)) == nil)
        book.record("late", for: "web")
        #expect(book.take("web") == "late")
    }
}
