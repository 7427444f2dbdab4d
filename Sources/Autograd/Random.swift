// Seeded random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", SC 2011), a counter-based generator. The state is just (seed, offset), so
// it is trivially saved in checkpoints and gives the same stream on every machine.
import CKernels
import Foundation

public final class RandomGenerator: @unchecked Sendable {
    /// The 64-bit key.
    public let seed: UInt64
    /// How many 32-bit words have been drawn so far.
    public private(set) var offset: UInt64

    public init(seed: UInt64, offset: UInt64 = 0) {
        self.seed = seed
        self.offset = offset
    }

    /// One Philox4x32-10 block for a 128-bit counter (high word zero here) and the key.
    public static func philox(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 {
                k.0 &+= 0x9E37_79B9
                k.1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0))
        }
        return c
    }

    private var cachedBlockIndex: UInt64 = .max
    private var cachedBlock: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

    /// The next 32 random bits.
    public func nextUInt32() -> UInt32 {
        let block = offset >> 2
        if block != cachedBlockIndex {
            cachedBlock = Self.philox(
                counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), 0, 0),
                key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
            cachedBlockIndex = block
        }
        let word: UInt32
        switch offset & 3 {
        case 0: word = cachedBlock.0
        case 1: word = cachedBlock.1
        case 2: word = cachedBlock.2
        default: word = cachedBlock.3
        }
        offset += 1
        return word
    }

    /// Uniform in [0, 1) with 24 random bits (every float32 step of 2^-24).
    public func nextUniform() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// A uniform integer in 0..<bound (rejection sampling, no modulo bias).
    public func nextInt(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= Int(UInt32.max), "nextInt(below:) needs 0 < bound <= 2^32-1")
        let b = UInt32(bound)
        let limit = UInt32.max - UInt32.max % b
        while true {
            let r = nextUInt32()
            if r < limit { return Int(r % b) }
        }
    }

    /// Two standard normal draws by the Box-Muller transform, computed in double.
    public func nextNormalPair() -> (Float, Float) {
        let u1 = (Double(nextUInt32() >> 8) + 1) * 0x1p-24  // (0, 1]: log never sees 0
        let u2 = Double(nextUInt32() >> 8) * 0x1p-24
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let t = 2 * Double.pi * u2
        return (Float(r * Foundation.cos(t)), Float(r * Foundation.sin(t)))
    }

    /// Fills with uniform draws (the same numbers as `nextUniform()` in turn, drawn in C).
    public func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        guard count > 0 else { return }
        offset = ck_philox_uniform(seed, offset, p, count, low, high)
    }

    /// Fills `count` floats with a dropout mask: `scale` where `nextUniform() >= p`, else 0
    /// (the same draws in turn, in C).
    public func fillDropoutMask(_ out: UnsafeMutablePointer<Float>, count: Int, p: Float, scale: Float) {
        guard count > 0 else { return }
        offset = ck_philox_dropout_mask(seed, offset, out, count, p, scale)
    }

    /// Fills with normal draws (the same numbers as `nextNormalPair()` in turn, drawn in C).
    public func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        guard count > 0 else { return }
        offset = ck_philox_normal(seed, offset, p, count, mean, std)
    }

    /// A random permutation of 0..<n (Fisher-Yates).
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, nextInt(below: i + 1))
        }
        return p
    }

    /// Moves the stream to a saved position (for resume).
    public func restore(offset: UInt64) { self.offset = offset }
}
