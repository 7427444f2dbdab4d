// Every network's parameters and buffers, checked for NaN and infinity: the losses can stay
// finite while the weights are not (BCE clamps at 100, and batch norm's running statistics
// overflow without entering any loss). A non-finite gradient shows up here too, as every
// optimiser carries it into the weights it updates. Reading all weights runs at memory
// speed, a few percent of an MLP's step, so each step reads the next 512 KB of them in turn
// (every tensor within a few steps: a non-finite weight stays so) and everything is read
// before anything is written from them.
import Autograd
import NN

final class WeightWatch {
    /// The tensors, gathered once: training and loading update them in place.
    let tensors: [(network: String, tensor: String, value: Tensor)]

    init(_ model: any GANModel) {
        var all: [(network: String, tensor: String, value: Tensor)] = []
        for (network, module) in model.networks {
            let state = module.stateDict()
            for name in state.names { all.append((network, name, state[name]!)) }
        }
        tensors = all
    }

    static let floatsPerStep = 1 << 17
    /// Where the next step's share starts: a tensor and an element in it.
    private var next = (tensor: 0, element: 0)

    /// The first tensor holding a NaN or an infinity, if any.
    func firstNonFinite() -> (network: String, tensor: String)? {
        for t in tensors where !t.value.allFinite { return (t.network, t.tensor) }
        return nil
    }

    /// The next `floatsPerStep` floats, in turn through every tensor.
    func nextNonFinite() -> (network: String, tensor: String)? {
        var left = Swift.min(Self.floatsPerStep, tensors.reduce(0) { $0 + $1.value.count })
        while left > 0 {
            let t = tensors[next.tensor]
            let end = Swift.min(t.value.count, next.element + left)
            let finite = t.value.allFinite(in: next.element..<end)
            left -= end - next.element
            next = end == t.value.count ? ((next.tensor + 1) % tensors.count, 0) : (next.tensor, end)
            if !finite { return (t.network, t.tensor) }
        }
        return nil
    }
}
