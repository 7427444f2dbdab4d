import Autograd
import NN

// Swift twins of the models in Scripts/nn_fixtures.py (PyTorch-GAN's gan.py and dcgan.py
// structure, smaller), written as a ported model would be.

let fixtureLatent = 6

final class MLPGenerator: Module {
    let model: Sequential

    override init() {
        func block(_ inFeatures: Int, _ outFeatures: Int, normalize: Bool = true) -> [Module] {
            var layers: [Module] = [Linear(inFeatures, outFeatures)]
            if normalize { layers.append(BatchNorm1d(outFeatures, 0.8)) }  // eps = 0.8, as the reference
            layers.append(LeakyReLU(0.2))
            return layers
        }
        model = Sequential(block(fixtureLatent, 16, normalize: false) + block(16, 32) + block(32, 64) + [Linear(64, 36), Tanh()])
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).view([z.shape[0], 1, 6, 6]) }
}

final class DCGANGenerator: Module {
    let initSize = 2
    let l1: Sequential
    let convBlocks: Sequential

    override init() {
        l1 = Sequential(Linear(fixtureLatent, 8 * initSize * initSize))
        convBlocks = Sequential(
            BatchNorm2d(8),
            Upsample(scaleFactor: 2),
            Conv2d(8, 8, kernelSize: 3, stride: 1, padding: 1),
            BatchNorm2d(8, 0.8),
            LeakyReLU(0.2),
            Upsample(scaleFactor: 2),
            Conv2d(8, 4, kernelSize: 3, stride: 1, padding: 1),
            BatchNorm2d(4, 0.8),
            LeakyReLU(0.2),
            Conv2d(4, 1, kernelSize: 3, stride: 1, padding: 1),
            Tanh())
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor {
        convBlocks(l1(z).view([z.shape[0], 8, initSize, initSize]))
    }
}

final class DCGANDiscriminator: Module {
    let model: Sequential
    let advLayer: Sequential

    override init() {
        func discriminatorBlock(_ inFilters: Int, _ outFilters: Int, bn: Bool = true) -> [Module] {
            var block: [Module] = [Conv2d(inFilters, outFilters, kernelSize: 3, stride: 2, padding: 1), LeakyReLU(0.2), Dropout2d(0.25)]
            if bn { block.append(BatchNorm2d(outFilters, 0.8)) }
            return block
        }
        model = Sequential(discriminatorBlock(1, 4, bn: false) + discriminatorBlock(4, 8) + discriminatorBlock(8, 8))
        advLayer = Sequential(Linear(8, 1), Sigmoid())
        super.init()
    }

    override func forward(_ img: Tensor) -> Tensor {
        advLayer(model(img).view([img.shape[0], -1]))
    }
}

/// Losses written with elementary ops, exactly as in the fixture script.
func fixtureMSE(_ output: Tensor, _ target: Tensor) -> Tensor { ((output - target) * (output - target)).mean() }
func fixtureBCE(_ p: Tensor, _ target: Tensor) -> Tensor { -(target * p.log() + (1 - target) * (1 - p).log()).mean() }
