// Image decoding (the format is sniffed from the bytes; this target's corpus holds PNG files),
// and the decoded image converted as training converts it.
import Autograd
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let image = try? Image(decoding: Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz") else { return 0 }
    _ = ImageTransform([.rgb], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]).apply(image, generator: RandomGenerator(seed: 0))
    _ = try? image.pngData()
    return 0
}
