import NIOCore
import Testing

@testable import BurrowRelay

/// Issue 15: a visitor goes to a member whose SSH session runs on its own
/// event loop (`preferring`), least open among those; only when none of them
/// takes visitors does it go to the least open member overall.
@Suite struct PoolBalancerLoopPreferenceTests {
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func theMembersOnTheVisitorsLoopComeFirstLeastOpenAmongThem() {
        var pool = PoolBalancer<Int>()
        for member in [1, 2, 3] { pool.join(member) }
        // 2 and 3 share the visitor's loop: they take turns, however loaded 1 is not.
        #expect((0..<4).map { _ in pool.pick(at: now, preferring: [2, 3]) } == [2, 3, 2, 3])
        #expect(pool.openVisitors(1) == 0)
        // Least open among the preferred: 3 finishes one, so it is next twice.
        pool.finished(3)
        #expect(pool.pick(at: now, preferring: [2, 3]) == 3)
        // Without a preference, the least open overall (1, idle).
        #expect(pool.pick(at: now) == 1)
        #expect(pool.peek(at: now, preferring: [2]) == 2)
    }

    @Test func aPreferredMemberThatIsDownOrExcludedGivesWayToTheOthers() {
        var pool = PoolBalancer<Int>()
        for member in [1, 2] { pool.join(member) }
        pool.down(2, until: nil)
        #expect(pool.pick(at: now, preferring: [2]) == 1)
        pool.up(2)
        #expect(pool.pick(at: now, excluding: [2], preferring: [2]) == 1)
        #expect(pool.pick(at: now, preferring: [2]) == 2)
        // A preference naming no member changes nothing.
        #expect(pool.peek(at: now, preferring: [9]) != nil)
    }
}
