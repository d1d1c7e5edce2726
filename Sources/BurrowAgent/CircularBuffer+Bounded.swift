import NIOCore

/// NIO's `CircularBuffer` as the fixed-size "latest N" lists of `MappingStats`.
extension CircularBuffer {
    /// Appends, forgetting the oldest element once `limit` are held.
    mutating func append(keepingAtMost limit: Int, _ element: Element) {
        if count >= limit { removeFirst() }
        append(element)
    }

    /// Updates the newest element matching `predicate`.
    mutating func updateNewest(where predicate: (Element) -> Bool, _ change: (inout Element) -> Void) {
        guard let index = lastIndex(where: predicate) else { return }
        change(&self[index])
    }
}
