import NIOCore
import Testing

@testable import BurrowRelay

/// The pool's balancing state as a value: least open visitors, ties
/// round-robin, members down for a while or until told, leaving at once.
@Suite struct PoolBalancerTests {
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// A balancer with `members` joined, in order.
    static func pool(_ members: [Int]) -> PoolBalancer<Int> {
        var pool = PoolBalancer<Int>()
        for member in members { pool.join(member) }
        return pool
    }

    @Test func tiesGoRoundRobinAndTheLeastLoadedWins() {
        var pool = Self.pool([1, 2, 3])
        // All idle: 1, 2, 3 in turn.
        #expect((0..<3).map { _ in pool.pick(at: now) } == [1, 2, 3])
        // 2 finishes: it has the fewest open, so it is next, even twice in a row's turn.
        pool.finished(2)
        #expect(pool.pick(at: now) == 2)
        pool.finished(1)
        pool.finished(3)
        // 1 and 3 at 0 open, 2 at 1: the tie goes on after the last pick (2) → 3, then 1.
        #expect(pool.pick(at: now) == 3)
        #expect(pool.pick(at: now) == 1)
        #expect(pool.openVisitors(1) == 1 && pool.openVisitors(2) == 1 && pool.openVisitors(3) == 1)
    }

    @Test func aMemberDownIsSkippedUntilUpOrItsPauseEnds() {
        var pool = Self.pool([1, 2])
        pool.down(1, until: nil)
        #expect(pool.online(at: now) == 1)
        #expect((0..<4).map { _ in pool.pick(at: now) } == [2, 2, 2, 2])
        // A short pause does not shorten "down until told".
        pool.down(1, until: now + .seconds(1))
        #expect(pool.online(at: now + .seconds(5)) == 1)
        pool.up(1)
        #expect(pool.pick(at: now) == 1)
        // A paused member is back once the pause is over.
        pool.down(2, until: now + .seconds(2))
        #expect(pool.peek(at: now + .seconds(1)) == 1)
        #expect(pool.online(at: now + .seconds(3)) == 2)
    }

    @Test func whenEveryMemberIsDownTheyAreStillTriedAndExclusionsHold() {
        var pool = Self.pool([1, 2])
        pool.down(1, until: nil)
        pool.down(2, until: nil)
        #expect(pool.online(at: now) == 0)
        #expect(pool.pick(at: now) != nil)
        #expect(pool.pick(at: now, excluding: [1, 2]) == nil)
        #expect(pool.pick(at: now, excluding: [1]) == 2)
    }

    @Test func leavingIsImmediateAndKeepsTheRotationFair() {
        var pool = Self.pool([1, 2, 3])
        #expect(pool.pick(at: now) == 1)
        #expect(pool.pick(at: now) == 2)
        pool.leave(1)
        #expect(pool.count == 2)
        #expect(!pool.contains(1))
        // 3 is idle, 2 has one open: 3 next; a finish on a member gone changes nothing.
        pool.finished(1)
        #expect(pool.pick(at: now) == 3)
        pool.join(1)
        #expect(pool.pick(at: now) == 1)
        pool.leave(2)
        pool.leave(3)
        pool.leave(1)
        #expect(pool.isEmpty)
        #expect(pool.pick(at: now) == nil)
    }

    // Issue 15: a visitor goes to a member whose SSH session runs on its own
    // event loop (`preferring`), least open among those; only when none of them
    // takes visitors does it go to the least open member overall.

    @Test func theMembersOnTheVisitorsLoopComeFirstLeastOpenAmongThem() {
        var pool = Self.pool([1, 2, 3])
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
        var pool = Self.pool([1, 2])
        pool.down(2, until: nil)
        #expect(pool.pick(at: now, preferring: [2]) == 1)
        pool.up(2)
        #expect(pool.pick(at: now, excluding: [2], preferring: [2]) == 1)
        #expect(pool.pick(at: now, preferring: [2]) == 2)
        // A preference naming no member changes nothing.
        #expect(pool.peek(at: now, preferring: [9]) != nil)
    }
}
