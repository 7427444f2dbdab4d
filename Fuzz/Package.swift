// swift-tools-version:6.0
// libFuzzer targets for every reader of outside bytes, one executable per reader. Built with
// the sanitizers by Scripts/fuzz.sh (`swift build --package-path Fuzz -c release
// --sanitize fuzzer --sanitize address`); not part of the main package or its default build.
import PackageDescription

let readers = ["idx", "png", "jpeg", "safetensors", "npy", "runfiles", "attributes", "labels", "imagefolder", "archive"]

let package = Package(
    name: "SwiftGANFuzz",
    dependencies: [.package(name: "SwiftGAN", path: "..")],
    targets: readers.map { reader in
        .executableTarget(name: "fuzz-\(reader)",
                          dependencies: [.product(name: "Vision", package: "SwiftGAN"), .product(name: "NN", package: "SwiftGAN"),
                                         .product(name: "GANs", package: "SwiftGAN")],
                          path: "Sources/\(reader)")
    }
)
