// Reading a tensor's elements in place, for output (files, images, checkpoints).

extension Tensor {
    /// Calls `body` with the elements (row-major), read-only, for the duration of the call:
    /// encoders read them without copying into an array first.
    public func withUnsafeElements<R, E: Error>(_ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(storage) { () throws(E) -> R in
            try body(UnsafeBufferPointer(start: storage.pointer, count: count))
        }
    }
}
