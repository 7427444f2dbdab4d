// The generator layers use when none is given (PyTorch's global RNG). Reseed it with
// `DefaultGenerator.seed(_:)` for reproducible initialisation.
import Foundation
import Autograd

public enum DefaultGenerator {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var generator = RandomGenerator(seed: 0)

    /// The current shared generator.
    public static var shared: RandomGenerator { lock.withLock { generator } }

    /// Replaces the shared generator by a fresh one (torch.manual_seed).
    public static func seed(_ seed: UInt64) { lock.withLock { generator = RandomGenerator(seed: seed) } }
}
