// Shape-only layers and lookup tables: Flatten, Identity, Embedding.
import Autograd

public final class Flatten: Module {
    public let startDim: Int, endDim: Int
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }
}

public final class Identity: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input }
}

/// Rows of `weight` [numEmbeddings, embeddingDim] looked up by index; N(0, 1) init as PyTorch.
public final class Embedding: Module {
    @Parameter public var weight: Tensor

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, generator: RandomGenerator? = nil) {
        weight = Tensor.zeros([numEmbeddings, embeddingDim])
        super.init()
        Init.normal(weight, generator: generator)
    }

    public func callAsFunction(_ indices: [Int]) -> Tensor { embedding(indices, weight: weight) }

    /// Indices stored as floats (labels from a data loader); output shape is input shape + [dim].
    override public func forward(_ input: Tensor) -> Tensor { embedding(input, weight: weight) }
}
