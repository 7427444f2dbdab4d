// Making a new tensor from values held elsewhere (decoded files, images, byte pixels).
// The tensor is written before anything else can see it, so these never change a tensor
// that a graph or a caller already holds.

extension Tensor {
    /// A new tensor of `shape` that starts as `initial` everywhere and whose elements
    /// `body` then writes (decoders, image resampling): as Array's
    /// init(unsafeUninitializedCapacity:), without an intermediate array.
    public convenience init<E: Error>(shape: [Int], filledWith initial: Float = 0,
                                      writingElementsWith body: (UnsafeMutableBufferPointer<Float>) throws(E) -> Void) throws(E) {
        for d in shape where d < 0 { shapeFailure("Tensor(shape:writingElementsWith:): negative dimension in \(Shape.describe(shape))") }
        self.init(shape: shape, storage: TensorStorage(repeating: initial, count: Shape.count(shape)))
        try body(storage.buffer)
    }

    /// The arrays one after another in a new tensor of `shape` (a batch stacked from
    /// per-example arrays); their counts must add up to the shape's.
    public convenience init(shape: [Int], concatenating parts: [[Float]]) {
        let total = parts.reduce(0) { $0 + $1.count }
        guard Shape.count(shape) == total else {
            shapeFailure("Tensor(shape:concatenating:): shape \(Shape.describe(shape)) needs \(Shape.count(shape)) elements, the parts hold \(total)")
        }
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: total))
        var at = storage.pointer
        for part in parts {
            part.withUnsafeBufferPointer { src in
                if let base = src.baseAddress { at.update(from: base, count: src.count) }
            }
            at += part.count
        }
    }

    /// 8-bit values mapped through `lookup` (256 entries: the value of each byte, e.g. a
    /// pixel normalised to [-1, 1]) into a new tensor of `shape`: one table read per byte
    /// instead of float arithmetic per pixel.
    public convenience init(shape: [Int], bytes: some Collection<UInt8>, through lookup: [Float]) {
        self.init(shape: shape, byteRows: [bytes], through: lookup)
    }

    /// As `init(shape:bytes:through:)` with the bytes in several rows (a batch of 8-bit
    /// images, one row each), laid out one after another.
    public convenience init<Row: Collection<UInt8>>(shape: [Int], byteRows rows: [Row], through lookup: [Float]) {
        guard lookup.count == 256 else { shapeFailure("Tensor(shape:byteRows:through:): the lookup table needs 256 entries, got \(lookup.count)") }
        let total = rows.reduce(0) { $0 + $1.count }
        guard Shape.count(shape) == total else {
            shapeFailure("Tensor(shape:byteRows:through:): shape \(Shape.describe(shape)) needs \(Shape.count(shape)) elements, the rows hold \(total)")
        }
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: total))
        var at = storage.pointer
        lookup.withUnsafeBufferPointer { table in
            for row in rows {
                let written: Void? = row.withContiguousStorageIfAvailable { bytes in
                    for (i, b) in bytes.enumerated() { at[i] = table[Int(b)] }
                }
                if written == nil {
                    for (i, b) in row.enumerated() { at[i] = table[Int(b)] }
                }
                at += row.count
            }
        }
    }
}
