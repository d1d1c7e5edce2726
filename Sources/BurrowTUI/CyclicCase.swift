/// An enum whose cases focus moves through in order, wrapping at both ends
/// (Tab and Shift-Tab between panes, between a form's fields).
protocol CyclicCase: CaseIterable, Equatable where AllCases.Index == Int {}

extension CyclicCase {
    /// The case after this one; the first after the last.
    var next: Self { moved(by: 1) }
    /// The case before this one; the last before the first.
    var previous: Self { moved(by: -1) }

    private func moved(by step: Int) -> Self {
        let all = Self.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + step + all.count) % all.count]
    }
}
