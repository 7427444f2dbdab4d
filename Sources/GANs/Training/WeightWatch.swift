// Every network's parameters and buffers, checked for NaN and infinity after each step: the
// losses can stay finite while the weights are not (BCE clamps at 100, and batch norm's
// running statistics overflow without entering any loss). A non-finite gradient shows up
// here too, as every optimiser carries it into the weights it updates.
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

    /// The first tensor holding a NaN or an infinity, if any.
    func firstNonFinite() -> (network: String, tensor: String)? {
        for t in tensors where !t.value.allFinite { return (t.network, t.tensor) }
        return nil
    }
}
