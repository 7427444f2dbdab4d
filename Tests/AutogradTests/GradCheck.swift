import XCTest
@testable import Autograd

/// Finite-difference gradient checking.
///
/// `f` maps the inputs to a tensor; the check projects it onto fixed random weights w
/// (L = sum(w * f)) and compares autograd's dL/dinput with central differences of L,
/// accumulated in double. Float32 differences need a step of about 1e-2 and tolerances of
/// about 1e-2; inputs are chosen away from kinks (relu at 0, ties in max).
func gradCheck(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3,
               _ what: String, file: StaticString = #filePath, line: UInt = #line,
               _ f: @escaping ([Tensor]) -> Tensor) {
    for x in inputs { x.requiresGrad = true }
    let out = f(inputs)
    let rng = RandomGenerator(seed: 99)
    let w = Tensor.uniform(out.shape, low: -1, high: 1, generator: rng)
    let wv = w.scalars.map(Double.init)
    let analytic: [Tensor?]
    do {
        analytic = try Autograd.grad(of: [(out * w).sum()], withRespectTo: inputs)
    } catch {
        XCTFail("\(what): backward failed: \(error)", file: file, line: line)
        return
    }
    func loss(_ xs: [Tensor]) -> Double {
        let o = f(xs).scalars
        var s = 0.0
        for i in 0..<o.count { s += wv[i] * Double(o[i]) }
        return s
    }
    for (k, x) in inputs.enumerated() {
        let base = x.scalars
        var numeric = [Float](repeating: 0, count: base.count)
        for i in 0..<base.count {
            var plus = base, minus = base
            plus[i] += eps
            minus[i] -= eps
            let xp = inputs.enumerated().map { $0.offset == k ? Tensor(shape: x.shape, scalars: plus, requiresGrad: true) : $0.element }
            let xm = inputs.enumerated().map { $0.offset == k ? Tensor(shape: x.shape, scalars: minus, requiresGrad: true) : $0.element }
            numeric[i] = Float((loss(xp) - loss(xm)) / Double(2 * eps))
        }
        let got = analytic[k] ?? Tensor.zeros(x.shape)
        assertClose(got, Tensor(shape: x.shape, scalars: numeric), rtol: rtol, atol: atol,
                    "\(what): d/d input \(k) vs finite differences", file: file, line: line)
    }
}

/// Second-order check: the gradient of `f` with respect to input 0, built with
/// createGraph, is itself checked against finite differences in every input.
func gradGradCheck(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 3e-2, atol: Float = 3e-3,
                   _ what: String, file: StaticString = #filePath, line: UInt = #line,
                   _ f: @escaping ([Tensor]) -> Tensor) {
    let seedRng = RandomGenerator(seed: 7)
    var seed: Tensor? = nil
    gradCheck(inputs, eps: eps, rtol: rtol, atol: atol, "\(what) (second order)", file: file, line: line) { xs in
        let out = f(xs)
        if seed == nil { seed = Tensor.uniform(out.shape, low: -1, high: 1, generator: seedRng) }
        // The first gradient is a differentiable function of every input.
        let g = try! Autograd.grad(of: [out], withRespectTo: [xs[0]], seeds: [seed!], createGraph: true)[0]
        return g ?? Tensor.zeros(xs[0].shape)
    }
}

/// Random values of random sign with magnitude in [lo, hi] (away from kinks at 0).
func away(_ shape: [Int], _ rng: RandomGenerator, lo: Float = 0.2, hi: Float = 1.5) -> Tensor {
    let n = Shape.count(shape)
    return Tensor(shape: shape, scalars: (0..<n).map { _ in
        let m = lo + (hi - lo) * rng.nextUniform()
        return rng.nextUniform() < 0.5 ? -m : m
    })
}

/// A permutation of well-separated values (no ties).
func distinct(_ shape: [Int], _ rng: RandomGenerator) -> Tensor {
    let n = Shape.count(shape)
    return Tensor(shape: shape, scalars: rng.permutation(n).map { Float($0) * 0.3 - 0.15 * Float(n) })
}

func randn(_ shape: [Int], _ rng: RandomGenerator, std: Float = 1) -> Tensor {
    Tensor.normal(shape, std: std, generator: rng)
}

func positive(_ shape: [Int], _ rng: RandomGenerator, lo: Float = 0.5, hi: Float = 1.5) -> Tensor {
    Tensor.uniform(shape, low: lo, high: hi, generator: rng)
}
