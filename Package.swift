// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SwiftGAN",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "GANs", targets: ["GANs"]),
        .executable(name: "gan", targets: ["gan"]),
    ],
    // `swift build --traits MPI`: `gan train --distributed` over Open MPI (docs/DISTRIBUTED.md).
    traits: [.trait(name: "MPI", description: "Data-parallel training over Open MPI (libopenmpi-dev, found through pkg-config)")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Hot loops only: GEMM, im2col/col2im, elementwise and reduction kernels.
        // Kept in C so they vectorise without unsafe compiler flags.
        .target(name: "CKernels", path: "Sources/CKernels"),
        // Tensors, shapes, reverse-mode autograd (with gradients of gradients) and every op.
        .target(name: "Autograd", dependencies: ["CKernels"], path: "Sources/Autograd"),
        // Modules, layers, initialisation, optimisers and safetensors state dicts.
        .target(name: "NN", dependencies: ["Autograd", "CKernels"], path: "Sources/NN"),
        // System image and compression libraries (headers in /usr/include on every machine).
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // setjmp-based error recovery for libpng/libjpeg, zlib's macro API, and SHA-256.
        .target(name: "CVisionShim", dependencies: ["CPNG", "CJPEG", "CZlib"], path: "Sources/CVisionShim",
                linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]),
        // Datasets (MNIST, image folders), PNG/JPEG, transforms, the prefetching loader, grids, .npy.
        .target(name: "Vision", dependencies: ["Autograd", "CVisionShim"], path: "Sources/Vision"),
        // Sample-quality metrics (Fréchet distance, classifier score, precision/recall) and the
        // MNIST feature network they are computed in.
        .target(name: "Evaluation", dependencies: ["Autograd", "NN", "Vision"], path: "Sources/Evaluation"),
        // The zoo (one file per model) and the training runtime: loop, checkpoints, metrics.
        .target(name: "GANs", dependencies: ["Autograd", "NN", "Vision", "Evaluation"], path: "Sources/GANs"),
        // Open MPI (only with the MPI trait) and the communicator over it.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "MPICollective", dependencies: ["Autograd", .target(name: "CMPI", condition: .when(traits: ["MPI"]))],
                path: "Sources/MPICollective"),
        // The `gan` command-line tool.
        .executableTarget(name: "gan", dependencies: ["GANs", "Evaluation", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                                      .target(name: "MPICollective", condition: .when(traits: ["MPI"]))],
                          path: "Sources/gan"),

        .testTarget(name: "AutogradTests", dependencies: ["Autograd"], path: "Tests/AutogradTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "NNTests", dependencies: ["NN"], path: "Tests/NNTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision"], path: "Tests/VisionTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"], path: "Tests/EvaluationTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "GANsTests", dependencies: ["GANs"], path: "Tests/GANsTests", exclude: ["Fixtures"]),
        // `swift run -c release kernel-bench`: GFLOP/s of the kernels (Scripts/bench_kernels.py
        // runs it beside PyTorch). Not part of the library.
        .executableTarget(name: "kernel-bench", dependencies: ["CKernels"], path: "Benchmarks/KernelBench"),
        // The built `gan` executable run end to end (depending on it builds it first).
        .testTarget(name: "GanToolTests", dependencies: ["gan", "Evaluation", "GANs"], path: "Tests/GanToolTests"),
        // Kernels against naive references (odd sizes, transposes, strides, thread counts).
        .testTarget(name: "KernelsTests", dependencies: ["Autograd", "CKernels"], path: "Tests/KernelsTests"),
    ]
)
