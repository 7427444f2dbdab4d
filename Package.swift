// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SwiftGAN",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
    ],
    targets: [
        // Hot loops only: GEMM, im2col/col2im, elementwise and reduction kernels.
        // Kept in C so they vectorise without unsafe compiler flags (see docs/ARCHITECTURE.md).
        .target(name: "CKernels", path: "Sources/CKernels"),
        // Tensors, shapes, reverse-mode autograd (with gradients of gradients) and every op.
        .target(name: "Autograd", dependencies: ["CKernels"], path: "Sources/Autograd"),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd"], path: "Tests/AutogradTests",
                    exclude: ["Fixtures"]),
        // `swift run -c release kernel-bench`: GFLOP/s of the kernels (Scripts/bench_kernels.py
        // runs it beside PyTorch). Not part of the library.
        .executableTarget(name: "kernel-bench", dependencies: ["CKernels"], path: "Benchmarks/KernelBench"),
        // Kernels against naive references (odd sizes, transposes, strides, thread counts).
        .testTarget(name: "KernelsTests", dependencies: ["Autograd", "CKernels"], path: "Tests/KernelsTests"),
    ]
)
