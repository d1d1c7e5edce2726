/// A fixed-capacity list that forgets its oldest element when full.
struct RingBuffer<Element> {
    private var storage: [Element] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    var count: Int { storage.count }

    /// Oldest first.
    var elements: [Element] {
        Array(storage[head...] + storage[..<head])
    }

    /// The element `back` steps before the newest (0 = newest).
    func fromNewest(_ back: Int) -> Element? {
        guard back >= 0, back < storage.count else { return nil }
        let newest = (head + storage.count - 1) % storage.count
        return storage[(newest - back + storage.count) % storage.count]
    }

    /// Updates the newest element matching `predicate`, searching from the newest.
    mutating func updateNewest(where predicate: (Element) -> Bool, _ change: (inout Element) -> Void) {
        for back in 0..<storage.count {
            let index = ((head + storage.count - 1) % storage.count - back + storage.count) % storage.count
            if predicate(storage[index]) {
                change(&storage[index])
                return
            }
        }
    }
}
