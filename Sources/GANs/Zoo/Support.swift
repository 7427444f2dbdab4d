// Small pieces every model of the zoo uses: one optimiser step, the generator passes of
// n_critic models, scoring two batches in one pass, and sampling in evaluation mode.
import Autograd
import NN

/// Clears the gradients, back-propagates `loss` and steps the optimiser.
@inline(__always)
func optimize(_ optimizer: Optimizer, _ loss: Tensor) throws {
    if let (parallel, weight) = DataParallel.active { return try parallel.optimize(optimizer, loss, weight: weight) }
    optimizer.zeroGrad()
    // Each parameter is updated as soon as its gradient is complete, and the gradient
    // dropped: a network's gradients never all exist at once (clustergan's G and E hold
    // 43 MB of them), and each is still in cache when the optimiser reads it. The numbers
    // are those of backward() then step(). Only the optimiser's parameters get gradients: a
    // gradient penalty's inputs need none.
    try loss.backward(only: optimizer.parameters, consumingLeafGradients: { p, g in optimizer.consume(p, gradient: g) })
    optimizer.step()   // parameters the optimiser could not take one at a time
    optimizer.zeroGrad()
}

/// The batch norms of `module` (found once: module traversal reflects over every layer).
func batchNorms(of module: Module) -> [BatchNorm] { module.modules().compactMap { $0 as? BatchNorm } }

/// G(z) for a batch of an n_critic model. On a generator batch the reference runs G(z) twice
/// with the same weights and noise, for the critic and then for G's own step: here one pass
/// with its graph serves both (`forG`; `critic` is its detached output), G's batch norms
/// counting the batch twice in their running statistics. Other batches run G without a graph.
func generatorPasses(_ netG: Module, _ z: Tensor, norms: [BatchNorm], generatorBatch: Bool) -> (critic: Tensor, forG: Tensor?) {
    guard generatorBatch else { return (withoutGrad { netG(z) }, nil) }
    for norm in norms { norm.updatesPerForward = 2 }
    defer { for norm in norms { norm.updatesPerForward = 1 } }
    let forG = netG(z)
    return (forG.detach(), forG)
}

/// D on two batches in one pass, split back: for a D whose rows never interact (no batch
/// norm, no dropout) the same numbers as two passes, with matrix products twice as tall,
/// which the kernels run faster, and one backward instead of two.
func scoreBoth(_ netD: Module, _ first: Tensor, _ second: Tensor) -> (Tensor, Tensor) {
    let n = first.shape[0]
    let scores = netD(Tensor.concat([first, second], dim: 0))
    return (scores.slice(dim: 0, start: 0, end: n), scores.slice(dim: 0, start: n, end: scores.shape[0]))
}

extension GANModel {
    /// Samples with every network in evaluation mode (running statistics, no dropout)
    /// unless `batchStatistics`, and without recording a graph.
    public func sampleForOutput(count: Int, labels: [Int]? = nil, latent: Tensor? = nil, generator rng: RandomGenerator,
                                batchStatistics: Bool = false) throws(ConfigError) -> Tensor {
        try withoutRecording(evaluationMode: !batchStatistics) { () throws(ConfigError) in
            try sample(count: count, labels: labels, latent: latent, generator: rng)
        }
    }

    /// Outputs for given inputs with every network in evaluation mode, without a graph.
    public func translateForOutput(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try withoutRecording(evaluationMode: true) { () throws(ConfigError) in try translate(inputs) }
    }

    /// Runs `body` without a graph and, when asked, with every network in evaluation mode.
    private func withoutRecording(evaluationMode: Bool, _ body: () throws(ConfigError) -> Tensor) throws(ConfigError) -> Tensor {
        guard evaluationMode else { return try withoutGrad { () throws(ConfigError) in try body() } }
        return try inEvaluationMode(networks.map(\.module), body)
    }

    /// Checks class labels against the model's number of classes.
    public func checkedLabels(_ labels: [Int]?, count: Int, classes: Int, generator rng: RandomGenerator) throws(ConfigError) -> [Int] {
        guard let labels else { return (0..<count).map { _ in rng.nextInt(below: classes) } }
        guard labels.count == count else { throw ConfigError("\(labels.count) labels given for \(count) samples") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
            throw ConfigError("label \(bad) is out of range: this model has \(classes) classes (0-\(classes - 1))")
        }
        return labels
    }
}

extension ZooModel {
    /// The generator step of the Wasserstein models, every n_critic batches: maximise the
    /// critic's score of G(z). Its loss is carried to the batches between.
    func wassersteinGeneratorStep(critic: Module, optimizer: Optimizer, generated: Tensor) throws {
        let gLoss = frozen(critic) { -critic(generated).mean() }
        try optimize(optimizer, gLoss)
        _ = carried("g_loss", gLoss.item())
    }
}

/// The --n-classes option of the conditional models.
func validateClassCount(_ config: ModelConfig, minimum: Int) throws(ConfigError) {
    let n = config.int("n-classes")
    guard n >= minimum else {
        throw ConfigError(minimum == 1 ? "--n-classes must be positive, got \(n)" : "--n-classes must be at least \(minimum), got \(n)")
    }
}


/// Checks the inputs of an image-to-image model: [N] + `shape`.
func checkTranslationInput(_ inputs: Tensor, model: String, shape: [Int]) throws(ConfigError) {
    guard inputs.shape.count == 4, Array(inputs.shape.dropFirst()) == shape else {
        throw ConfigError("\(model) translates images of shape [N, \(shape.map(String.init).joined(separator: ", "))], got \(inputs.shape)")
    }
}

/// Runs `body` without a graph, with `networks` in evaluation mode (restored after).
func inEvaluationMode<T, E: Error>(_ networks: [Module], _ body: () throws(E) -> T) throws(E) -> T {
    let wasTraining = networks.map(\.isTraining)
    for n in networks { n.eval() }
    defer { for (n, t) in zip(networks, wasTraining) { n.train(t) } }
    return try withoutGrad { () throws(E) in try body() }
}
