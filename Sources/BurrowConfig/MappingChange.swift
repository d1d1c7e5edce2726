import BurrowCore

/// One precise difference between two versions of `mappings.json`, keyed by
/// mapping name (a renamed mapping is a removal plus an addition).
public enum MappingChange: Sendable, Equatable {
    case added(Mapping)
    case removed(Mapping)
    case changed(old: Mapping, new: Mapping)

    /// The changes that turn `old` into `new`: removals (in `old`'s order),
    /// then additions and changes (in `new`'s order).
    public static func diff(from old: [Mapping], to new: [Mapping]) -> [MappingChange] {
        let oldByName = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.map(\.name))
        var changes: [MappingChange] = old.filter { !newNames.contains($0.name) }.map { .removed($0) }
        for mapping in new {
            if let previous = oldByName[mapping.name] {
                if previous != mapping { changes.append(.changed(old: previous, new: mapping)) }
            } else {
                changes.append(.added(mapping))
            }
        }
        return changes
    }

    /// The mapping's name.
    public var name: String {
        switch self {
        case .added(let mapping), .removed(let mapping): return mapping.name
        case .changed(_, let new): return new.name
        }
    }
}
