// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SwiftGAN",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    targets: [
        // Hot loops only: GEMM, im2col/col2im, elementwise and reduction kernels.
        // Kept in C so they vectorise without unsafe compiler flags.
        .target(name: "CKernels", path: "Sources/CKernels"),
        // Tensors, shapes, reverse-mode autograd (with gradients of gradients) and every op.
        .target(name: "Autograd", dependencies: ["CKernels"], path: "Sources/Autograd"),
        // Modules, layers, initialisation, optimisers and safetensors state dicts.
        .target(name: "NN", dependencies: ["Autograd"], path: "Sources/NN"),
        // Sample-quality metrics: Fréchet distance, classifier score, precision/recall.
        .target(name: "Evaluation", dependencies: ["Autograd"], path: "Sources/Evaluation"),

        .testTarget(name: "AutogradTests", dependencies: ["Autograd"], path: "Tests/AutogradTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "NNTests", dependencies: ["NN"], path: "Tests/NNTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"], path: "Tests/EvaluationTests",
                    exclude: ["Fixtures"]),
    ]
)
