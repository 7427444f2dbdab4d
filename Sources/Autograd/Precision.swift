// The precision of matrix products: float32, or bfloat16 inputs with float32 sums
// (AVX512_BF16), as mixed-precision training uses on GPUs. Only the products change —
// Linear and matmul, the convolutions lowered to the packed GEMM (im2col, whole-image
// columns, Winograd's transformed products), forward and both gradients; parameters,
// gradients, optimiser state and every other op stay float32. Per thread, like GradMode,
// and scoped: set for a block of work with `with`, restored after it.
import CKernels

public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    case fp32, bf16

    public var description: String { rawValue }

    /// Whether this CPU computes bfloat16 products (AVX512_BF16).
    public static var bf16Supported: Bool { ck_bf16_supported() == 1 }

    /// The calling thread's precision.
    public static var current: Precision { ck_get_precision() == Int32(CK_PRECISION_BF16) ? .bf16 : .fp32 }

    /// Runs `body` with this thread's products (and the kernel pool's work for them) in
    /// `precision`, restoring the previous precision after; throws before running it when
    /// the CPU cannot compute bf16 products.
    public static func with<T>(_ precision: Precision, _ body: () throws -> T) throws -> T {
        let previous = ck_get_precision()
        guard ck_set_precision(precision.code) == 1 else { throw PrecisionError.unsupported(precision) }
        defer { _ = ck_set_precision(previous) }
        return try body()
    }

    var code: Int32 { self == .bf16 ? Int32(CK_PRECISION_BF16) : Int32(CK_PRECISION_FP32) }
}

public enum PrecisionError: Error, CustomStringConvertible {
    case unsupported(Precision)

    public var description: String {
        switch self {
        case .unsupported(let p): "--precision \(p) needs a CPU with AVX512_BF16 (vdpbf16ps), which this one lacks; use --precision fp32"
        }
    }
}
