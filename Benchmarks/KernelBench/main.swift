// Kernel benchmarks: one JSON object per line with the case, its parameters, the work
// (flops or bytes) and the best time per call. Scripts/bench_kernels.py runs this next
// to PyTorch on the same cases and prints the comparison table.
//
//   swift run -c release kernel-bench [--threads N] [--filter TEXT] [--seconds S] [--clock cpu]
//                                     [--precision fp32|bf16]
//
// --precision bf16 runs the products in bfloat16 with float32 sums (CPUs with AVX512_BF16).
//
// --clock cpu times with the calling thread's CPU clock instead of the wall clock: with
// one thread that is far less disturbed by other processes on a shared machine (the
// comparison script uses the same clock for torch); with more threads it is meaningless.
import CKernels

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var clockID = CLOCK_MONOTONIC

func now() -> Double {
    var ts = timespec()
    clock_gettime(clockID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

var threads = Int(ck_get_threads())
var filter = ""
var budget = 0.25   // seconds of timing per case
var precision = "fp32"
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--threads": threads = Int(args.popFirst() ?? "") ?? threads
    case "--filter": filter = args.popFirst() ?? ""
    case "--seconds": budget = Double(args.popFirst() ?? "") ?? budget
    case "--clock": clockID = args.popFirst() == "cpu" ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC
    case "--precision": precision = args.popFirst() ?? ""
    default: print("unknown argument \(a)"); exit(2)
    }
}
ck_set_threads(Int32(threads))
guard precision == "fp32" || (precision == "bf16" && ck_set_precision(Int32(CK_PRECISION_BF16)) == 1) else {
    print("--precision \(precision): use fp32, or bf16 on a CPU with AVX512_BF16"); exit(2)
}

/// Best time per call: repeats the body in batches until `budget` seconds are spent.
@MainActor func bestTime(_ body: () -> Void) -> Double {
    body()   // warm-up (scratch buffers, pool threads, caches)
    let t0 = now()
    body()
    let once = max(now() - t0, 1e-7)
    let per = max(1, Int(budget / 5 / once))
    var best = Double.infinity
    for _ in 0..<5 {
        let s = now()
        for _ in 0..<per { body() }
        best = min(best, (now() - s) / Double(per))
    }
    return best
}

func buffer(_ n: Int, seed: UInt32 = 1) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
    var s = seed
    for i in 0..<n { s = s &* 1664525 &+ 1013904223; p[i] = Float(Int32(bitPattern: s >> 8) - (1 << 23)) / Float(1 << 23) }
    return p
}

@MainActor func report(_ name: String, _ kind: String, _ params: [(String, Int)], work: Double, unit: String, seconds: Double) {
    let ps = params.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ")
    let rate = work / seconds / 1e9
    print("{\"name\": \"\(name)\", \"kind\": \"\(kind)\", \"params\": {\(ps)}, \"work\": \(work), \"unit\": \"\(unit)\", \"seconds\": \(seconds), \"rate\": \(rate), \"threads\": \(threads), \"precision\": \"\(precision)\"}")
}

@MainActor func want(_ name: String) -> Bool { filter.isEmpty || name.contains(filter) }

// ---- GEMM ----------------------------------------------------------------------
var gemms: [(String, Int, Int, Int)] = [128, 256, 512, 1024, 2048].map { ("gemm n=\($0)", $0, $0, $0) }
gemms += [("linear 64x100 x 100x8192", 64, 8192, 100), ("linear 64x784 x 784x512", 64, 512, 784),
          ("linear 64x1024 x 1024x784", 64, 784, 1024), ("linear 64x512 x 512x1024", 64, 1024, 512),
          ("linear 64x256 x 256x512", 64, 512, 256), ("dW 1024x64 x 64x512", 1024, 512, 64)]
for (name, m, n, k) in gemms where want(name) {
    let a = buffer(m * k), b = buffer(k * n, seed: 2), c = buffer(m * n, seed: 3)
    let t = bestTime { ck_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n) }
    report(name, "gemm", [("m", m), ("n", n), ("k", k)], work: 2.0 * Double(m * n * k), unit: "GFLOP/s", seconds: t)
    a.deallocate(); b.deallocate(); c.deallocate()
}

// ---- convolutions ------------------------------------------------------------------
// Each case is one layer's geometry as a convolution; a transposed convolution is the same
// geometry with its passes swapped (its forward is the data gradient), so every layer of the
// image models is covered by the three passes of one case. The name's first word is the model.
struct ConvCase {
    var name: String
    var batch = 1, cin: Int, cout: Int, size: Int, kernel: Int, stride: Int, pad: Int
}
let convs: [ConvCase] = [
    // DCGAN on MNIST 32x32, batch 64
    ConvCase(name: "dcgan G 128->128 @16", batch: 64, cin: 128, cout: 128, size: 16, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "dcgan G 128->64 @32", batch: 64, cin: 128, cout: 64, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "dcgan G 64->1 @32", batch: 64, cin: 64, cout: 1, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "dcgan D 1->16 s2 @32", batch: 64, cin: 1, cout: 16, size: 32, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "dcgan D 16->32 s2 @16", batch: 64, cin: 16, cout: 32, size: 16, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "dcgan D 32->64 s2 @8", batch: 64, cin: 32, cout: 64, size: 8, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "dcgan D 64->128 s2 @4", batch: 64, cin: 64, cout: 128, size: 4, kernel: 3, stride: 2, pad: 1),
    // pix2pix at 256 px, batch 1: U-Net encoder (and D) 4x4 stride 2; decoder levels are
    // transposed convolutions, listed as the convolution they transpose
    ConvCase(name: "pix2pix down 3->64 @256", cin: 3, cout: 64, size: 256, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 6->64 @256", cin: 6, cout: 64, size: 256, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 64->128 @128", cin: 64, cout: 128, size: 128, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 128->256 @64", cin: 128, cout: 256, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 256->512 @32", cin: 256, cout: 512, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 512->512 @16", cin: 512, cout: 512, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 512->512 @8", cin: 512, cout: 512, size: 8, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 512->512 @4", cin: 512, cout: 512, size: 4, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix down 512->512 @2", cin: 512, cout: 512, size: 2, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix up^T 512->1024 @4", cin: 512, cout: 1024, size: 4, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix up^T 512->1024 @8", cin: 512, cout: 1024, size: 8, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix up^T 512->1024 @16", cin: 512, cout: 1024, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix up^T 256->1024 @32", cin: 256, cout: 1024, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix up^T 128->512 @64", cin: 128, cout: 512, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix up^T 64->256 @128", cin: 64, cout: 256, size: 128, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "pix2pix out 128->3 @257", cin: 128, cout: 3, size: 257, kernel: 4, stride: 1, pad: 1),
    ConvCase(name: "pix2pix D out 512->1 @17", cin: 512, cout: 1, size: 17, kernel: 4, stride: 1, pad: 1),
    // cyclegan at 256 px, batch 1: ResNet generator (reflection padding done before the conv)
    ConvCase(name: "cyclegan in 7x7 3->64 @262", cin: 3, cout: 64, size: 262, kernel: 7, stride: 1, pad: 0),
    ConvCase(name: "cyclegan down 64->128 @256", cin: 64, cout: 128, size: 256, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "cyclegan down 128->256 @128", cin: 128, cout: 256, size: 128, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "cyclegan res 256->256 @66", cin: 256, cout: 256, size: 66, kernel: 3, stride: 1, pad: 0),
    ConvCase(name: "cyclegan up 256->128 @128", cin: 256, cout: 128, size: 128, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "cyclegan up 128->64 @256", cin: 128, cout: 64, size: 256, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "cyclegan out 7x7 64->3 @262", cin: 64, cout: 3, size: 262, kernel: 7, stride: 1, pad: 0),
    // munit at 128 px, batch 1: the residual blocks' 3x3 convs (reflection padded) and the
    // decoders' 5x5 convs after each nearest upsampling
    ConvCase(name: "munit res 256->256 @34", cin: 256, cout: 256, size: 34, kernel: 3, stride: 1, pad: 0),
    ConvCase(name: "munit up 5x5 256->128 @64", cin: 256, cout: 128, size: 64, kernel: 5, stride: 1, pad: 2),
    ConvCase(name: "munit up 5x5 128->64 @128", cin: 128, cout: 64, size: 128, kernel: 5, stride: 1, pad: 2),
    // stargan at 128 px, batch 16: G's 4x4 stride-2 down layers (its up layers are their
    // transposes) and the critic's 4x4 stride-2 stack
    ConvCase(name: "stargan G down 64->128 @128", batch: 16, cin: 64, cout: 128, size: 128, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "stargan G down 128->256 @64", batch: 16, cin: 128, cout: 256, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "stargan D 64->128 @64", batch: 16, cin: 64, cout: 128, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "stargan D 128->256 @32", batch: 16, cin: 128, cout: 256, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "stargan D 256->512 @16", batch: 16, cin: 256, cout: 512, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "stargan D 512->1024 @8", batch: 16, cin: 512, cout: 1024, size: 8, kernel: 4, stride: 2, pad: 1),
    // context_encoder at 128 px, batch 8: G's 4x4 stride-2 encoder, its 1x1 bottleneck to 4000
    // channels and the transposed decoder (listed as the convolutions they transpose); D's 3x3
    // stack on the 64 px hole
    ConvCase(name: "context_encoder down 3->64 @128", batch: 8, cin: 3, cout: 64, size: 128, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder down 64->64 @64", batch: 8, cin: 64, cout: 64, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder down 64->128 @32", batch: 8, cin: 64, cout: 128, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder down 128->256 @16", batch: 8, cin: 128, cout: 256, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder down 256->512 @8", batch: 8, cin: 256, cout: 512, size: 8, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder 1x1 512->4000 @4", batch: 8, cin: 512, cout: 4000, size: 4, kernel: 1, stride: 1, pad: 0),
    ConvCase(name: "context_encoder up^T 512->4000 @8", batch: 8, cin: 512, cout: 4000, size: 8, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder up^T 256->512 @16", batch: 8, cin: 256, cout: 512, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder up^T 128->256 @32", batch: 8, cin: 128, cout: 256, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder up^T 64->128 @64", batch: 8, cin: 64, cout: 128, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "context_encoder out 64->3 @64", batch: 8, cin: 64, cout: 3, size: 64, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "context_encoder D 3->64 s2 @64", batch: 8, cin: 3, cout: 64, size: 64, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "context_encoder D 64->128 s2 @32", batch: 8, cin: 64, cout: 128, size: 32, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "context_encoder D 128->256 s2 @16", batch: 8, cin: 128, cout: 256, size: 16, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "context_encoder D 256->512 @8", batch: 8, cin: 256, cout: 512, size: 8, kernel: 3, stride: 1, pad: 1),
    // ccgan at 128 px, batch 8: the U-Net's levels that context_encoder does not share (the
    // low-resolution image joins after level 2), and D's 3x3 stack on the whole image
    ConvCase(name: "ccgan down 131->256 @32", batch: 8, cin: 131, cout: 256, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan down 512->512 @8", batch: 8, cin: 512, cout: 512, size: 8, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan down 512->512 @4", batch: 8, cin: 512, cout: 512, size: 4, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan up^T 512->1024 @8", batch: 8, cin: 512, cout: 1024, size: 8, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan up^T 256->1024 @16", batch: 8, cin: 256, cout: 1024, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan up^T 128->512 @32", batch: 8, cin: 128, cout: 512, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan up^T 64->259 @64", batch: 8, cin: 64, cout: 259, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "ccgan out 128->3 @128", batch: 8, cin: 128, cout: 3, size: 128, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "ccgan D 3->64 s2 @128", batch: 8, cin: 3, cout: 64, size: 128, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "ccgan D 64->128 s2 @64", batch: 8, cin: 64, cout: 128, size: 64, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "ccgan D 128->256 s2 @32", batch: 8, cin: 128, cout: 256, size: 32, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "ccgan D 256->512 @16", batch: 8, cin: 256, cout: 512, size: 16, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "ccgan D 512->1 @16", batch: 8, cin: 512, cout: 1, size: 16, kernel: 3, stride: 1, pad: 1),
    // dualgan at 128 px, batch 8: the U-Net's levels that the shapes above do not cover (its 7
    // levels go down to 1x1; its 3->64, 64->128, 128->256 and 256->512 layers are context_encoder's
    // down 3->64 and up^T cases), and the critic's last layer
    ConvCase(name: "dualgan down 512->512 @2", batch: 8, cin: 512, cout: 512, size: 2, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "dualgan up^T 512->512 @2", batch: 8, cin: 512, cout: 512, size: 2, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "dualgan up^T 512->1024 @4", batch: 8, cin: 512, cout: 1024, size: 4, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "dualgan up^T 64->256 @64", batch: 8, cin: 64, cout: 256, size: 64, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "dualgan up^T 3->128 @128", batch: 8, cin: 3, cout: 128, size: 128, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "dualgan D out 256->1 @17", batch: 8, cin: 256, cout: 1, size: 17, kernel: 4, stride: 1, pad: 0),
    // srgan at 256 px (low resolution 64), batch 4: the generator's layers, the critic's 3x3
    // stack (stride 2 every other layer) and VGG19 up to conv5_4, one case per stage (its first
    // layer of each stage has a critic layer's shape; forward on the output and the target)
    ConvCase(name: "srgan G in 9x9 3->64 @64", batch: 4, cin: 3, cout: 64, size: 64, kernel: 9, stride: 1, pad: 4),
    ConvCase(name: "srgan G res 64->64 @64", batch: 4, cin: 64, cout: 64, size: 64, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan G up 64->256 @64", batch: 4, cin: 64, cout: 256, size: 64, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan G up 64->256 @128", batch: 4, cin: 64, cout: 256, size: 128, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan G out 9x9 64->3 @256", batch: 4, cin: 64, cout: 3, size: 256, kernel: 9, stride: 1, pad: 4),
    ConvCase(name: "srgan D 3->64 @256", batch: 4, cin: 3, cout: 64, size: 256, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan D 64->64 s2 @256", batch: 4, cin: 64, cout: 64, size: 256, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "srgan D 64->128 @128", batch: 4, cin: 64, cout: 128, size: 128, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan D 128->128 s2 @128", batch: 4, cin: 128, cout: 128, size: 128, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "srgan D 128->256 @64", batch: 4, cin: 128, cout: 256, size: 64, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan D 256->256 s2 @64", batch: 4, cin: 256, cout: 256, size: 64, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "srgan D 256->512 @32", batch: 4, cin: 256, cout: 512, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan D 512->512 s2 @32", batch: 4, cin: 512, cout: 512, size: 32, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "srgan VGG 64->64 @256", batch: 4, cin: 64, cout: 64, size: 256, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan VGG 128->128 @128", batch: 4, cin: 128, cout: 128, size: 128, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan VGG 256->256 @64", batch: 4, cin: 256, cout: 256, size: 64, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan VGG 512->512 @32", batch: 4, cin: 512, cout: 512, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "srgan VGG 512->512 @16", batch: 4, cin: 512, cout: 512, size: 16, kernel: 3, stride: 1, pad: 1),
    // pixelda on MNIST/MNIST-M at 32 px: G at batch 64; D and the classifier see two batches at once (128)
    ConvCase(name: "pixelda G in 6->64 @32", batch: 64, cin: 6, cout: 64, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "pixelda G res 64->64 @32", batch: 64, cin: 64, cout: 64, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "pixelda G out 64->3 @32", batch: 64, cin: 64, cout: 3, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "pixelda D 3->64 s2 @32", batch: 128, cin: 3, cout: 64, size: 32, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "pixelda D 64->128 s2 @16", batch: 128, cin: 64, cout: 128, size: 16, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "pixelda D 128->256 s2 @8", batch: 128, cin: 128, cout: 256, size: 8, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "pixelda D 256->512 s2 @4", batch: 128, cin: 256, cout: 512, size: 4, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "pixelda D out 512->1 @2", batch: 128, cin: 512, cout: 1, size: 2, kernel: 3, stride: 1, pad: 1),
    // cogan at 32 px, batch 32: the shared generator layers, one head (two run), one critic's blocks (four run)
    ConvCase(name: "cogan G 128->128 @16", batch: 32, cin: 128, cout: 128, size: 16, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "cogan G head 128->64 @32", batch: 32, cin: 128, cout: 64, size: 32, kernel: 3, stride: 1, pad: 1),
    ConvCase(name: "cogan G head 64->3 @32", batch: 32, cin: 64, cout: 3, size: 32, kernel: 3, stride: 1, pad: 1),
    // The same upsample-conv layers as they run, folded into 4x4 stride-2 transposed convolutions
    ConvCase(name: "cogan G T4 128->128 @16", batch: 32, cin: 128, cout: 128, size: 16, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "cogan G T4 head 128->64 @32", batch: 32, cin: 64, cout: 128, size: 32, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "cyclegan up T4 256->128 @128", cin: 128, cout: 256, size: 128, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "cyclegan up T4 128->64 @256", cin: 64, cout: 128, size: 256, kernel: 4, stride: 2, pad: 1),
    ConvCase(name: "cogan D 3->16 s2 @32", batch: 32, cin: 3, cout: 16, size: 32, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "cogan D 16->32 s2 @16", batch: 32, cin: 16, cout: 32, size: 16, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "cogan D 32->64 s2 @8", batch: 32, cin: 32, cout: 64, size: 8, kernel: 3, stride: 2, pad: 1),
    ConvCase(name: "cogan D 64->128 s2 @4", batch: 32, cin: 64, cout: 128, size: 4, kernel: 3, stride: 2, pad: 1),
]
for c in convs {
    let out = (c.size + 2 * c.pad - c.kernel) / c.stride + 1
    var g = ck_conv_geometry(batch: c.batch, c_in: c.cin, h: c.size, w: c.size, c_out: c.cout, kh: c.kernel, kw: c.kernel,
                             stride_h: c.stride, stride_w: c.stride, pad_h: c.pad, pad_w: c.pad, dil_h: 1, dil_w: 1,
                             groups: 1, out_h: out, out_w: out)
    let xCount = c.batch * c.cin * c.size * c.size, wCount = c.cout * c.cin * c.kernel * c.kernel
    let x = buffer(xCount), w = buffer(wCount, seed: 2)
    let y = buffer(c.batch * c.cout * out * out, seed: 3), gx = buffer(xCount), gw = buffer(wCount)
    let flops = 2.0 * Double(c.batch) * Double(c.cout * out * out) * Double(c.cin * c.kernel * c.kernel)
    let params = [("cin", c.cin), ("cout", c.cout), ("size", c.size), ("stride", c.stride), ("batch", c.batch),
                  ("kernel", c.kernel), ("pad", c.pad)]
    if want(c.name + " fwd") {
        report(c.name + " fwd", "conv_fwd", params, work: flops, unit: "GFLOP/s",
               seconds: bestTime { ck_conv2d_forward(&g, x, w, y) })
    }
    if want(c.name + " bwd-data") {
        report(c.name + " bwd-data", "conv_bwd_data", params, work: flops, unit: "GFLOP/s",
               seconds: bestTime { ck_conv2d_backward_data(&g, y, w, gx) })
    }
    if want(c.name + " bwd-weight") {
        report(c.name + " bwd-weight", "conv_bwd_weight", params, work: flops, unit: "GFLOP/s",
               seconds: bestTime { ck_conv2d_backward_weight(&g, x, y, gw) })
    }
    [x, w, y, gx, gw].forEach { $0.deallocate() }
}

// ---- batch norm forward + backward (the DCGAN generator's) ------------------------------
for (n, c, hw) in [(64, 128, 64), (64, 128, 256), (64, 64, 1024)] {
    let name = "batchnorm fwd+bwd \(n)x\(c)x\(hw)"
    guard want(name) else { continue }
    let total = n * c * hw
    let x = buffer(total), gy = buffer(total, seed: 2), y = buffer(total), gx = buffer(total)
    let gamma = buffer(c), beta = buffer(c), stats = buffer(5 * c)
    let t = bestTime {
        ck_batchnorm_forward(x, n, c, hw, gamma, beta, 1e-5, y, stats, stats + c, stats + 2 * c)
        ck_batchnorm_backward(gy, x, n, c, hw, stats, stats + 2 * c, gamma, gx, stats + 3 * c, stats + 4 * c)
    }
    // minimal traffic: forward reads x, writes y; backward reads gy and x, writes gx
    report(name, "batchnorm", [("n", n), ("c", c), ("hw", hw)], work: 20.0 * Double(total), unit: "GB/s", seconds: t)
    [x, gy, y, gx, gamma, beta, stats].forEach { $0.deallocate() }
}

// ---- one Adam step over 1.5M parameters ---------------------------------------------------
if want("adam") {
    let n = 1_500_000
    let p = buffer(n), g = buffer(n, seed: 2), m = buffer(n, seed: 3), v = buffer(n, seed: 4)
    for i in 0..<n { v[i] = abs(v[i]) }
    var step = 0
    let t = bestTime { step += 1; ck_adam_step(p, g, m, v, n, 2e-4, 0.5, 0.999, 1e-8, 0, step) }
    // reads p, g, m, v; writes p, m, v
    report("adam step 1.5M params", "adam", [("n", n)], work: 28.0 * Double(n), unit: "GB/s", seconds: t)
    [p, g, m, v].forEach { $0.deallocate() }
}
