// Activation functions and softmax.
import CKernels

extension Tensor {
    public func relu() -> Tensor {
        Kernels.unary(Int32(CK_RELU), self).recordedSavingOutput("relu", [self]) { g, out in
            [g.leakyReluBackward(mask: out.detach(), slope: 0)]
        }
    }

    public func leakyRelu(_ slope: Float = 0.01) -> Tensor {
        let x = self
        let y = Kernels.unary(Int32(CK_LEAKY_RELU), x, slope)
        if slope > 0 {
            // The output has the input's sign, so it serves as the mask; it is usually saved
            // by the next op anyway (a convolution's input), so this keeps no extra tensor.
            return y.recordedSavingOutput("leaky_relu", [x]) { g, out in [g.leakyReluBackward(mask: out.detach(), slope: slope)] }
        }
        return y.recorded("leaky_relu", [x]) { g in [g.leakyReluBackward(mask: x.detach(), slope: slope)] }
    }

    /// self where mask > 0, self * slope elsewhere: one pass, no mask tensor. Linear in
    /// self, so its own gradient is the same op (the mask carries no gradient).
    func leakyReluBackward(mask: Tensor, slope: Float) -> Tensor {
        let out = Tensor.uninitialized(shape)
        ck_leaky_relu_backward(storage.pointer, mask.storage.pointer, out.storage.pointer, count, slope)
        return out.recorded("leaky_relu_backward", [self]) { g in [g.leakyReluBackward(mask: mask, slope: slope)] }
    }

    /// x for x > 0, alpha * (exp(x) - 1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        let x = self
        return Kernels.unary(Int32(CK_ELU), x, alpha).recordedSavingOutput("elu", [x]) { g, out in
            // d/dx = 1 for x > 0, out + alpha otherwise (differentiable through out).
            let positive = Kernels.unary(Int32(CK_STEP), x.detach())
            return [Tensor.where(positive, g, g * (out + alpha))]
        }
    }

    public func sigmoid() -> Tensor {
        Kernels.unary(Int32(CK_SIGMOID), self).recordedSavingOutput("sigmoid", [self]) { g, out in [g * out * (1 - out)] }
    }

    public func tanh() -> Tensor {
        Kernels.unary(Int32(CK_TANH), self).recordedSavingOutput("tanh", [self]) { g, out in [g * (1 - out * out)] }
    }

    /// log(1 + exp(beta x)) / beta, linear above `threshold` (as torch.nn.Softplus).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        let x = self
        return Kernels.unary(Int32(CK_SOFTPLUS), x, beta, threshold).recorded("softplus", [x]) { g in
            let linear = Kernels.unary(Int32(CK_STEP), x.detach() * beta - threshold)
            return [Tensor.where(linear, g, g * (x * beta).sigmoid())]
        }
    }

    /// exp(x) / sum(exp(x)) along `dim`, shifted by the (constant) maximum for stability.
    public func softmax(dim: Int) -> Tensor {
        let shifted = self - max(dim: dim, keepDim: true).values.detach()
        let e = shifted.exp()
        return e / e.sum(dim: dim, keepDim: true)
    }

    /// x - logsumexp(x) along `dim`.
    public func logSoftmax(dim: Int) -> Tensor {
        let shifted = self - max(dim: dim, keepDim: true).values.detach()
        return shifted - shifted.exp().sum(dim: dim, keepDim: true).log()
    }
}

/// max(0, x) + weight * min(0, x), with one weight per channel (dimension 1) or a single one.
public func prelu(_ x: Tensor, weight: Tensor) -> Tensor {
    var w = weight
    if weight.count > 1 {
        guard x.rank >= 2, x.shape[1] == weight.count else {
            shapeFailure("prelu: \(weight.count) weights for input \(Shape.describe(x.shape)) (needs one per channel)")
        }
        w = weight.reshape([weight.count] + [Int](repeating: 1, count: x.rank - 2))
    } else {
        w = weight.reshape([])
    }
    return x.relu() - w * (-x).relu()
}
