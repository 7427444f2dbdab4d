// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SwiftGAN",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    targets: [
        // Hot loops only: GEMM, im2col/col2im, elementwise and reduction kernels.
        // Kept in C so they vectorise without unsafe compiler flags (see docs/ARCHITECTURE.md).
        .target(name: "CKernels", path: "Sources/CKernels"),
        // Tensors, shapes, reverse-mode autograd (with gradients of gradients) and every op.
        .target(name: "Autograd", dependencies: ["CKernels"], path: "Sources/Autograd"),
        // Modules, layers, initialisation, optimisers and safetensors state dicts.
        .target(name: "NN", dependencies: ["Autograd"], path: "Sources/NN"),
        .testTarget(name: "NNTests", dependencies: ["NN"], path: "Tests/NNTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd"], path: "Tests/AutogradTests",
                    exclude: ["Fixtures"]),
    ]
)
