// A bounded hand-over queue between the loader's worker thread and the training loop.
import Foundation

/// A FIFO of at most `capacity` items. `put` blocks while full, `take` while empty; after
/// `close()` both return at once, so neither side can hang on the other.
final class PrefetchQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private let capacity: Int
    private var finished = false
    private var closed = false

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Adds an item, waiting for room; false if the queue was closed meanwhile.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !closed { condition.wait() }
        if closed { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for one; nil once the producer finished and all were taken,
    /// or after close.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished && !closed { condition.wait() }
        if closed || head == items.count { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// The producer has no more items.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer has gone: wake and release both sides.
    func close() {
        condition.lock()
        closed = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Whether close() was called (the worker polls this between examples).
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }
}
