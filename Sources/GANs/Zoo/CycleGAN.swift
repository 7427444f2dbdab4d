// Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks — Zhu et al., 2017, arXiv:1703.10593
//
// As the reference: each G term is averaged over the two directions, so G's loss is half the official sum; the weights relative to the adversarial term are the official ones and Adam ignores the scale (but for eps).
// As the reference and the official code: the identity loss is G_BA(real A) ~ real A, G_AB(real B) ~ real B (issue #118's "fix" is wrong).
// Where we differ from the reference (cyclegan.py), one line each:
// - G_AB(real A), G_AB(real B) run as one batch, as do G_BA's two: instance norm keeps rows apart, so the numbers are the same with fewer passes.
// - The replay buffers draw from the named stream "replay_buffer" (not Python's global random) and are saved in checkpoints, so a resumed run continues exactly.
// - --decay-epoch >= --n-epochs keeps the rate constant (the reference asserts), so short runs need no extra flag.
// - Pictures use the central squares of fixed test images (the reference: random crops and flips of random test images each time).
// - --channels must be 3: the reference pads its 7x7 convs by the channel count, which keeps the size only for RGB (PR #129).
import Autograd
import NN

/// The reference's image pool: it returns the generated images D learns from, and once it holds
/// `capacity` of them, each new image is, with probability 1/2, swapped for a random stored one
/// (Shrivastava et al., 2017). The stored images are a buffer, so checkpoints keep them.
public final class ReplayBuffer: Module {
    public let capacity: Int
    /// [capacity, C, H, W]; the first `count` rows are filled.
    @Buffer public var images: Tensor?
    /// How many rows of `images` hold an image.
    @Buffer public var stored: Tensor? = Tensor(0)
    let random: RandomGenerator

    public init(capacity: Int = 50, imageShape: [Int], generator: RandomGenerator) {
        precondition(capacity > 0, "ReplayBuffer: the capacity must be positive")
        self.capacity = capacity
        images = Tensor.zeros([capacity] + imageShape)
        random = generator
        super.init()
    }

    public var count: Int { Int(stored!.item()) }

    /// The reference's `push_and_pop`: per image of `batch` (detached), the image itself while
    /// the pool fills or on tails, else a stored image, which the new one replaces.
    public func pushAndPop(_ batch: Tensor) -> Tensor {
        let pool = images!
        precondition(Array(batch.shape.dropFirst()) == Array(pool.shape.dropFirst()), "ReplayBuffer: images of shape \(batch.shape)")
        var out: [Tensor] = []
        for n in 0..<batch.shape[0] {
            let image = batch.slice(dim: 0, start: n, end: n + 1).detach()
            var slot: Int?
            if count < capacity {
                slot = count
                stored!.setItem(Float(count + 1))
                out.append(image)
            } else if random.nextUniform() > 0.5 {
                let i = random.nextInt(below: capacity)
                slot = i
                out.append(pool.slice(dim: 0, start: i, end: i + 1))
            } else {
                out.append(image)
            }
            // Outside any graph: the pool is never an op's input (what it returns are copies).
            if let slot { pool.setRow(slot, to: image) }
        }
        return out.count == 1 ? out[0] : Tensor.concat(out, dim: 0)
    }

    override public func forward(_ input: Tensor) -> Tensor { pushAndPop(input) }
}

/// Two ResNet generators G_AB: A -> B and G_BA: B -> A, two PatchGAN discriminators D_A, D_B.
/// G minimises the LSGAN terms of both directions, lambda_cyc times the L1 cycle error
/// (A -> B -> A, B -> A -> B) and lambda_id times the L1 identity error (G_BA on real A, G_AB
/// on real B), each averaged over the directions. Each D minimises 0.5 (LSGAN real + LSGAN
/// fake), its fakes drawn from a pool of 50 earlier ones. The rate is constant for
/// --decay-epoch epochs, then falls linearly to 0 at --n-epochs.
public final class CycleGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "cyclegan", title: "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks",
        citation: "Zhu et al., 2017, arXiv:1703.10593",
        data: DataRequirement(.unpaired, dataset: "monet2photo", fit: .randomCrop, loadScale: 1.12, flip: true),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 1, imgSize: 256, channels: 3, sampleInterval: 100) }

    public static var options: [OptionSpec] {
        [OptionSpec("n-residual-blocks", .int, 9, "Residual blocks in each generator."),
         OptionSpec("lambda-cyc", .float, 10, "Weight of the cycle-consistency L1 loss (averaged over both directions)."),
         OptionSpec("lambda-id", .float, 5, "Weight of the identity L1 loss (averaged over both directions)."),
         OptionSpec("decay-epoch", .int, 100, "Epoch from which the learning rate falls linearly to 0 at --n-epochs.")]
    }

    /// Stored generated images per domain.
    public static let poolSize = 50

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        // G halves the size twice and doubles it back; D halves it 4 times and instance-normalises
        // the last map, which needs more than one pixel.
        guard s % 4 == 0, s >= 32 else {
            throw ConfigError("cyclegan needs an image size that is a multiple of 4 and at least 32 (its generators halve the image twice and must give it back whole, its discriminators halve it 4 times and normalise what is left, which needs 2x2 pixels); got \(s)")
        }
        guard config.common.channels == 3 else {
            throw ConfigError("cyclegan needs --channels 3: the reference pads its 7x7 convolutions by the channel count, which keeps the size only for RGB")
        }
        guard config.int("n-residual-blocks") >= 0 else { throw ConfigError("--n-residual-blocks must not be negative, got \(config.int("n-residual-blocks"))") }
        for name in ["lambda-cyc", "lambda-id"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
        guard config.int("decay-epoch") >= 0 else { throw ConfigError("--decay-epoch must not be negative, got \(config.int("decay-epoch"))") }
    }

    /// The reference's LambdaLR factor at `epoch`: 1 until --decay-epoch, then linearly to 0 at
    /// --n-epochs (constant when the decay would start at or after the end).
    public static func rateFactor(_ config: ModelConfig) -> (Int) -> Float {
        let epochs = config.common.nEpochs, decay = config.int("decay-epoch")
        guard epochs > decay else { return { _ in 1 } }
        return LambdaLR.linearDecay(epochs: epochs, decayStartEpoch: decay)
    }

    let G_AB: ResNetGenerator
    let G_BA: ResNetGenerator
    let D_A: PatchDiscriminator
    let D_B: PatchDiscriminator
    let fakeABuffer: ReplayBuffer
    let fakeBBuffer: ReplayBuffer
    let optimizerG: Adam
    let optimizerDA: Adam
    let optimizerDB: Adam
    let schedules: [LambdaLR]
    let lambdaCyc: Float
    let lambdaId: Float

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        let blocks = config.int("n-residual-blocks")
        G_AB = parts.network("G_AB", ResNetGenerator(style: .cyclegan, inChannels: c.channels, outChannels: c.channels,
                                                     residualBlocks: blocks, generator: w))
        G_BA = parts.network("G_BA", ResNetGenerator(style: .cyclegan, inChannels: c.channels, outChannels: c.channels,
                                                     residualBlocks: blocks, generator: w), samples: true)
        D_A = parts.network("D_A", PatchDiscriminator(inChannels: c.channels, generator: w))
        D_B = parts.network("D_B", PatchDiscriminator(inChannels: c.channels, generator: w))
        // Conv weights N(0, 0.02), conv biases 0.
        for net: Module in [G_AB, G_BA, D_A, D_B] {
            net.apply { weightsInitNormal($0, generator: w, zeroConvBias: true) }
        }
        let replay = parts.stream("replay_buffer")
        fakeABuffer = parts.network("fake_A_buffer", ReplayBuffer(capacity: Self.poolSize, imageShape: config.imageShape, generator: replay))
        fakeBBuffer = parts.network("fake_B_buffer", ReplayBuffer(capacity: Self.poolSize, imageShape: config.imageShape, generator: replay))
        optimizerG = parts.adam("optimizer_G", G_AB, G_BA)
        optimizerDA = parts.adam("optimizer_D_A", D_A)
        optimizerDB = parts.adam("optimizer_D_B", D_B)
        let factor = Self.rateFactor(config)
        schedules = [optimizerG, optimizerDA, optimizerDB].map { LambdaLR($0, factor: factor) }
        lambdaCyc = config.float("lambda-cyc")
        lambdaId = config.float("lambda-id")
        super.init(parts)
    }

    /// The rate of `epoch` for G and both Ds.
    public func epochStarted(_ epoch: Int) {
        for s in schedules { s.lastEpoch = epoch }
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (realA, realB) = batch.pair

        // Generators. G_AB on (real A, real B) gives fake B and the identity of B; G_BA on
        // (real B, real A) gives fake A and the identity of A.
        let (fakeB, sameB) = scoreBoth(G_AB, realA, realB)
        let (fakeA, sameA) = scoreBoth(G_BA, realB, realA)
        let identity = (l1Loss(sameA, realA) + l1Loss(sameB, realB)) / 2
        let adversarial = frozen(D_A) { frozen(D_B) {
            let scoreB = D_B(fakeB), scoreA = D_A(fakeA)
            return (mseLoss(scoreB, Tensor.ones(scoreB.shape)) + mseLoss(scoreA, Tensor.ones(scoreA.shape))) / 2
        } }
        let cycle = (l1Loss(G_BA(fakeB), realA) + l1Loss(G_AB(fakeA), realB)) / 2
        let gLoss = adversarial + lambdaCyc * cycle + lambdaId * identity
        try optimize(optimizerG, gLoss)

        // Discriminators: real images against generated ones from the pools.
        func discriminatorLoss(_ netD: PatchDiscriminator, real: Tensor, fake: Tensor, pool: ReplayBuffer) -> Tensor {
            let (onReal, onFake) = scoreBoth(netD, real, pool.pushAndPop(fake.detach()))
            return (mseLoss(onReal, Tensor.ones(onReal.shape)) + mseLoss(onFake, Tensor.zeros(onFake.shape))) / 2
        }
        let dALoss = discriminatorLoss(D_A, real: realA, fake: fakeA, pool: fakeABuffer)
        try optimize(optimizerDA, dALoss)
        let dBLoss = discriminatorLoss(D_B, real: realB, fake: fakeB, pool: fakeBBuffer)
        try optimize(optimizerDB, dBLoss)

        let dLoss = (dALoss.item() + dBLoss.item()) / 2
        return [("d_loss", dLoss), ("g_loss", gLoss.item()), ("adv", adversarial.item()),
                ("cycle", cycle.item()), ("identity", identity.item())]
    }

    /// B is the input, A the target (facades: label map -> photo), as pix2pix's default.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return (b, a)
    }

    /// G_BA(inputs): images of domain B [N, C, S, S] in [-1, 1] to domain A, in the networks'
    /// current mode (`translateForOutput`: in eval mode, without a graph).
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return G_BA(inputs)
    }

    public var progressExamples: Int { 5 }

    /// The reference's picture: rows real A, fake B, real B, fake A, 5 examples per row (here
    /// each example's four images stacked vertically, 5 examples per row: the same picture).
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        let c = config.common
        guard let examples else { return (Tensor.zeros([1, c.channels, 4 * c.imgSize, c.imgSize]), 5) }
        let (realA, realB) = examples.pair
        // Both generators in eval mode, without a graph (as `translateForOutput`).
        let wasTraining = networks.map { $0.module.isTraining }
        for (_, m) in networks { m.eval() }
        defer { for ((_, m), t) in zip(networks, wasTraining) { m.train(t) } }
        let (fakeB, fakeA) = withoutGrad { (G_AB(realA), G_BA(realB)) }
        return (Tensor.concat([realA, fakeB, realB, fakeA], dim: 2), 5)
    }
}
