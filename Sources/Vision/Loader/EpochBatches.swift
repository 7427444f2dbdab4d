// One epoch in flight: a worker thread makes batches into a bounded queue; the caller takes
// them with `next()`. Closing (or dropping) it stops the worker and waits for it to exit.
import Autograd
import Foundation

/// The batches of one epoch, prepared on a background thread.
public final class EpochBatches: Sequence, IteratorProtocol, @unchecked Sendable {
    private let queue: PrefetchQueue<Result<Batch, Error>>
    private let workerDone = DispatchSemaphore(value: 0)
    private var exhausted = false
    private let lock = NSLock()
    private var stopped = false
    /// The error that ended the epoch, when iterating with `for batch in …` (which cannot throw).
    public private(set) var error: Error?

    init(loader: DataLoader, epoch: Int, first: Int) {
        queue = PrefetchQueue(capacity: loader.prefetch)
        let queue = self.queue
        let done = workerDone
        let thread = Thread {
            EpochBatches.produce(loader: loader, epoch: epoch, first: first, into: queue)
            queue.finish()
            done.signal()
        }
        thread.name = "swiftgan.loader"
        thread.start()
    }

    deinit { close() }

    /// The next batch; nil at the end of the epoch. Throws the worker's error (a bad file
    /// under `.stop`, or a shape mismatch), after which the epoch is over.
    public func nextBatch() throws -> Batch? {
        if exhausted { return nil }
        guard let result = queue.take() else {
            exhausted = true
            return nil
        }
        switch result {
        case .success(let batch): return batch
        case .failure(let failure):
            exhausted = true
            close()
            throw failure
        }
    }

    /// `Sequence` iteration; an error ends it and is kept in `error`.
    public func next() -> Batch? {
        do {
            return try nextBatch()
        } catch {
            self.error = error
            return nil
        }
    }

    /// Stops the worker (if still running) and waits until it has exited.
    public func close() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        queue.close()
        workerDone.wait()
    }

    private static func produce(loader: DataLoader, epoch: Int, first: Int, into queue: PrefetchQueue<Result<Batch, Error>>) {
        let order = loader.order(epoch: epoch)
        let dataset = loader.dataset
        var position = first * loader.batchSize
        while position < order.count {
            var examples = [Example]()
            var indices = [Int]()
            examples.reserveCapacity(loader.batchSize)
            while examples.count < loader.batchSize && position < order.count {
                if queue.isClosed { return }
                let index = order[position]
                position += 1
                do {
                    examples.append(try dataset.example(at: index, generator: loader.exampleGenerator(epoch: epoch, index: index)))
                    indices.append(index)
                } catch {
                    if loader.badExamples == .skip {
                        let message = "warning: skipping example \(index): \(error)"
                        FileHandle.standardError.write(Data((message + "\n").utf8))
                        loader.onWarning?(message)
                        continue
                    }
                    _ = queue.put(.failure(error))
                    return
                }
            }
            if examples.isEmpty || (loader.dropLast && examples.count < loader.batchSize) { return }
            let batch = Result { try Batch.stack(examples, indices: indices, describe: dataset.source(of:)) }
            guard queue.put(batch) else { return }
            if case .failure = batch { return }
        }
    }
}
