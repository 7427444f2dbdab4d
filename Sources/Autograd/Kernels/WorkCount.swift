// The floating-point work of the matrix products and convolutions run so far, counted as
// the layers are defined: a convolution as its direct multiply-adds (two FLOPs each) in
// whichever way it runs (Winograd, a GEMM of columns), a folded upsample-convolution as the
// convolution of the upsampled image it stands for. `gan bench` sets an iteration's count
// against the machine's FMA peak.
import Synchronization

public enum WorkCount {
    private static let counted = Atomic<Int>(0)

    /// FLOPs counted since the process started.
    public static var flops: Int { counted.load(ordering: .relaxed) }

    static func add(_ flops: Double) {
        counted.wrappingAdd(Int(flops.rounded()), ordering: .relaxed)
    }
}
