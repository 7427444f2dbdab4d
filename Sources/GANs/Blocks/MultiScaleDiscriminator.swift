// The multi-scale discriminator of bicyclegan and munit (`MultiDiscriminator` in both
// references): the same PatchGAN at three resolutions of the image, as pix2pixHD.
import Autograd
import NN

/// Three discriminators `models.disc_0..2`, each conv 4/2/1 3 -> 64, LeakyReLU(0.2); 64 ->
/// 128 -> 256 -> 512 with norm and LeakyReLU; conv 3/1/1 512 -> 1 (all convs with bias).
/// Scale k sees the image average-pooled k times (kernel 3, stride 2, padding 1, padding not
/// counted), so its scores are H/16, H/32, H/64 on a side. bicyclegan: BN.8; munit: IN.
/// bicyclegan's reference names the pooling kernel `in_channels` without defining it (its
/// issue #105): the intended value is 3, munit's, as here.
public final class MultiScaleDiscriminator: Module {
    public let models: ScaleDiscriminators
    let downsample = AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false)

    /// The reference's `nn.ModuleList` whose children are named `disc_0`, `disc_1`, `disc_2`.
    public final class ScaleDiscriminators: Module {
        public let scales: [Sequential]
        init(_ scales: [Sequential]) {
            self.scales = scales
            super.init()
        }
        override public var namedChildren: [(name: String, module: Module)] {
            scales.enumerated().map { (name: "disc_\($0.offset)", module: $0.element as Module) }
        }
    }

    public init(inChannels: Int = 3, norm: ImageNorm, scales: Int = 3, generator rng: RandomGenerator? = nil) {
        models = ScaleDiscriminators((0..<scales).map { _ in
            var layers: [Module] = []
            var c = inChannels
            for (i, w) in [64, 128, 256, 512].enumerated() {
                layers.append(Conv2d(c, w, kernelSize: 4, stride: 2, padding: 1, generator: rng))
                if i > 0, let n = norm.layer(w) { layers.append(n) }
                layers.append(LeakyReLU(0.2))
                c = w
            }
            layers.append(Conv2d(c, 1, kernelSize: 3, padding: 1, generator: rng))
            return Sequential(layers)
        })
        super.init()
    }

    /// The score maps of every scale, finest first.
    public func outputs(_ input: Tensor) -> [Tensor] {
        var x = input
        var out: [Tensor] = []
        for (k, d) in models.scales.enumerated() {
            out.append(d(x))
            if k + 1 < models.scales.count { x = downsample(x) }
        }
        return out
    }

    /// The reference's `compute_loss`: the sum over scales of the mean squared difference
    /// between the scores and `target` (1 real, 0 fake).
    public func loss(_ input: Tensor, target: Float) -> Tensor {
        let terms = outputs(input).map { mseLoss($0, Tensor.full($0.shape, target)) }
        return terms.dropFirst().reduce(terms[0], +)
    }
}
