import NIOCore

/// The balancing state of one pool (a value, tested as one): its members in
/// the order they joined, which of them take visitors, and how many visitors
/// each has open. A visitor goes to the member with the fewest open
/// visitors; ties go round-robin, starting after the member picked last.
/// A member whose local service is down (its agent said so, `down(until:
/// nil)`), or that just refused a visitor's channel (`down(until:)` a short
/// while: a stock `ssh -R` cannot say), is skipped while another member
/// takes visitors; when none does, every member is tried (a visitor then
/// gets what its agent answers rather than an offline page).
///
/// `Member` is any identifier: a forward of one session, for issue 16's
/// pools of several agents and for one agent's mapping spread over its
/// several connections (issue 15, a member per connection). A visitor
/// prefers the members in `preferring` (for one agent's connections: those
/// whose SSH session runs on the visitor's event loop, so its bytes never
/// cross threads), least open among them; without one online there, least
/// open overall.
struct PoolBalancer<Member: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var member: Member
        var open = 0
        /// nil: takes visitors. `.some(nil)`: down until told. `.some(t)`: down until `t`.
        var down: NIODeadline?? = nil

        func online(at now: NIODeadline) -> Bool {
            switch down {
            case .none: return true
            case .some(.none): return false
            case .some(.some(let until)): return now >= until
            }
        }
    }

    private var entries: [Entry] = []
    /// Index in `entries` after which the next tie-break starts.
    private var cursor = -1

    init() {}

    var isEmpty: Bool { entries.isEmpty }
    /// Connected members.
    var count: Int { entries.count }
    var members: [Member] { entries.map(\.member) }

    func contains(_ member: Member) -> Bool { entries.contains { $0.member == member } }

    /// Members taking visitors at `now`.
    func online(at now: NIODeadline) -> Int { entries.filter { $0.online(at: now) }.count }

    func openVisitors(_ member: Member) -> Int? { entries.first { $0.member == member }?.open }

    /// Adds a member (online); a member already there is left as it is.
    mutating func join(_ member: Member) {
        guard !contains(member) else { return }
        entries.append(Entry(member: member))
    }

    /// Removes a member at once; its open visitors stay where they are (they
    /// no longer count for anyone).
    mutating func leave(_ member: Member) {
        guard let index = entries.firstIndex(where: { $0.member == member }) else { return }
        entries.remove(at: index)
        if index <= cursor { cursor -= 1 }
    }

    /// Takes `member` out of the rotation: `until` nil = until `up`; a
    /// deadline = until then (a refused channel of a member that cannot report).
    mutating func down(_ member: Member, until: NIODeadline?) {
        guard let index = entries.firstIndex(where: { $0.member == member }) else { return }
        // A member that reported down stays down until it reports up.
        if case .some(.none) = entries[index].down, until != nil { return }
        entries[index].down = .some(until)
    }

    mutating func up(_ member: Member) {
        guard let index = entries.firstIndex(where: { $0.member == member }) else { return }
        entries[index].down = nil
    }

    /// The member the next visitor goes to, without counting it.
    func peek(at now: NIODeadline, excluding: Set<Member> = [], preferring: Set<Member> = []) -> Member? {
        choose(at: now, excluding: excluding, preferring: preferring).map { entries[$0].member }
    }

    /// Picks the member for a visitor and counts the visitor as open on it
    /// (give it back with `finished`); nil when every member is excluded.
    mutating func pick(at now: NIODeadline, excluding: Set<Member> = [], preferring: Set<Member> = []) -> Member? {
        guard let index = choose(at: now, excluding: excluding, preferring: preferring) else { return nil }
        entries[index].open += 1
        cursor = index
        return entries[index].member
    }

    /// A visitor picked for `member` closed.
    mutating func finished(_ member: Member) {
        guard let index = entries.firstIndex(where: { $0.member == member }), entries[index].open > 0 else { return }
        entries[index].open -= 1
    }

    private func choose(at now: NIODeadline, excluding: Set<Member>, preferring: Set<Member>) -> Int? {
        guard !entries.isEmpty else { return nil }
        let candidates = entries.indices.filter { !excluding.contains(entries[$0].member) }
        let online = candidates.filter { entries[$0].online(at: now) }
        let near = preferring.isEmpty ? [] : online.filter { preferring.contains(entries[$0].member) }
        let pool = !near.isEmpty ? near : online.isEmpty ? candidates : online
        guard let least = pool.map({ entries[$0].open }).min() else { return nil }
        // Round-robin among the least loaded: the first after the cursor, wrapping.
        let tied = pool.filter { entries[$0].open == least }
        return tied.first { $0 > cursor } ?? tied.first
    }
}
