// safetensors state dicts (checkpoints, --generator-weights, VGG19 weights).
import NN

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let dict = try? SafeTensors.decode(Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz") else { return 0 }
    // What is read must survive being written back.
    _ = try? SafeTensors.decode(SafeTensors.encode(dict), file: "fuzz")
    return 0
}
