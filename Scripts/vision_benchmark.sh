#!/usr/bin/env bash
# Measures the Vision module in release mode: time to load MNIST into memory, and JPEG
# decode + resize + crop throughput on 256x256 images. Builds a throwaway package that
# depends on this repository, so Package.swift needs no benchmark target.
# Usage: Scripts/vision_benchmark.sh   (needs python3 with Pillow for the JPEG set, and
# ../shared/data/BSDS500 beside the repository; prints `uptime` since the host is shared)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/swiftgan-vision-bench"
mkdir -p "$work/Sources/VisionBench" "$work/jpeg256"

# 64 photo JPEGs of 256x256 (centre crops of BSDS500), quality 90 as torchvision data often is.
python3 - "$root/../shared/data/BSDS500/images/train" "$work/jpeg256" <<'PY'
import os, sys
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(src) if n.endswith(".jpg"))[:64]
for n in names:
    im = Image.open(os.path.join(src, n)).convert("RGB")
    w, h = im.size
    im.crop(((w - 256) // 2, (h - 256) // 2, (w - 256) // 2 + 256, (h - 256) // 2 + 256)).save(os.path.join(out, n), quality=90)
PY

cat > "$work/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "VisionBench",
    dependencies: [.package(path: "$root")],
    targets: [.executableTarget(name: "VisionBench", dependencies: [.product(name: "Vision", package: "$(basename "$root")"),
                                                                    .product(name: "Autograd", package: "$(basename "$root")")])]
)
SWIFT

cat > "$work/Sources/VisionBench/main.swift" <<'SWIFT'
import Autograd
import Foundation
import Vision

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}

let jpegFolder = URL(fileURLWithPath: CommandLine.arguments[1])
var best = Double.infinity
for _ in 0..<3 { best = min(best, try seconds { _ = try MNIST(split: .train) }) }
print(String(format: "MNIST train (60k) gunzip+parse into memory: %.3f s (best of 3)", best))
best = .infinity
for _ in 0..<3 { best = min(best, try seconds { _ = try MNIST(split: .train); _ = try MNIST(split: .test) }) }
print(String(format: "MNIST train+test (70k) into memory: %.3f s", best))
let mnist = try MNISTDataset(split: .train, transform: ImageTransform(mean: [0.5], std: [0.5]))
let epochTime = seconds {
    for batch in DataLoader(dataset: mnist, batchSize: 64, seed: 0).epoch(0) { _ = batch }
}
print(String(format: "MNIST one epoch through the loader (batch 64, normalised NCHW tensors): %.3f s", epochTime))

let files = try FileManager.default.contentsOfDirectory(atPath: jpegFolder.path).sorted().map { jpegFolder.appendingPathComponent($0) }
let bytes = try files.map { try [UInt8](Data(contentsOf: $0)) }
let transform = ImageTransform([.resize(width: 286, height: 286, filter: .bicubic), .randomCrop(width: 256, height: 256),
                                .randomHorizontalFlip(probability: 0.5)], mean: [0.5], std: [0.5])
let generator = RandomGenerator(seed: 1)
var count = 0
var decodeOnly = 0.0, full = 0.0
for _ in 0..<2 {  // first pass warms caches
    decodeOnly = try seconds { for b in bytes { _ = try Image(decoding: b) } }
    full = try seconds {
        for b in bytes { _ = transform.apply(try Image(decoding: b), generator: generator); count += 1 }
    }
}
print(String(format: "256x256 JPEG decode only: %.0f images/s", Double(bytes.count) / decodeOnly))
print(String(format: "256x256 JPEG decode + bicubic resize to 286 + random crop 256 + flip + normalise to CHW floats: %.0f images/s (one thread)", Double(bytes.count) / full))
let folder = try ImageFolderDataset(directory: jpegFolder, transform: transform)
let loaderTime = seconds {
    for e in 0..<3 { for batch in DataLoader(dataset: folder, batchSize: 1, seed: 0).epoch(e) { _ = batch } }
}
print(String(format: "same through DataLoader from files (batch 1, background thread): %.0f images/s", Double(3 * folder.count) / loaderTime))
SWIFT

cd "$work"
swift build -c release 2>&1 | grep -E "error|warning: " || true
uptime
"$work/.build/release/VisionBench" "$work/jpeg256"
uptime
