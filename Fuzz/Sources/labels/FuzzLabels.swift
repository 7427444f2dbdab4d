// `gan sample --labels` and `gan eval --labels`: the text of a list (or of a labels file),
// then the check against a conditional model's ten classes.
// (libFuzzer calls the target from one thread, so the model is shared safely.)
import Autograd
import GANs

nonisolated(unsafe) let type = try! Zoo.model(named: "cgan")
nonisolated(unsafe) let cgan = type.init(config: try! Zoo.config(for: type, common: [:], extra: [:]), seed: 0)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabels(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let labels = try? LabelList.parse(text) else { return 0 }
    _ = try? cgan.checkedLabels(labels, count: labels.count, classes: 10, generator: RandomGenerator(seed: 0))
    return 0
}
