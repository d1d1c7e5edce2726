import Synchronization

/// Which forwards each key holds, over all its SSH connections, for
/// `maxMappingsPerKey`. A forward is known by what the client asked for
/// (bind address and port), so a reconnecting agent that asks again for the
/// forwards its old, still-open connection holds is not counted twice: the
/// new connection takes them over.
final class KeyLedger: Sendable {
    private let table = Mutex<[String: [UInt64: Set<String>]]>([:])

    static func label(host: String, port: Int) -> String {
        "\(host):\(port)"
    }

    /// Records `label` for the session if the key stays within `maximum`
    /// distinct forwards; false when it would not.
    func claim(key: String, session: UInt64, label: String, maximum: Int) -> Bool {
        table.withLock { table in
            var sessions = table[key, default: [:]]
            var all = Set<String>()
            for labels in sessions.values { all.formUnion(labels) }
            if !all.contains(label), all.count >= maximum { return false }
            sessions[session, default: []].insert(label)
            table[key] = sessions
            return true
        }
    }

    func release(key: String, session: UInt64, label: String) {
        table.withLock { table in
            table[key]?[session]?.remove(label)
            if table[key]?[session]?.isEmpty == true { table[key]?[session] = nil }
            if table[key]?.isEmpty == true { table[key] = nil }
        }
    }

    /// A session ended: nothing it held counts any more.
    func releaseAll(key: String, session: UInt64) {
        table.withLock { table in
            table[key]?[session] = nil
            if table[key]?.isEmpty == true { table[key] = nil }
        }
    }
}
