// Broadcasting arithmetic and elementwise math. Each backward is written with
// differentiable ops, so gradients of gradients come for free.
import CKernels

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let sa = a.shape, sb = b.shape
        return Kernels.binary(Int32(CK_ADD), a, b, name: "add").recorded("add", [a, b]) { g in
            [g.sum(to: sa), g.sum(to: sb)]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let sa = a.shape, sb = b.shape
        return Kernels.binary(Int32(CK_SUB), a, b, name: "sub").recorded("sub", [a, b]) { g in
            [g.sum(to: sa), (-g).sum(to: sb)]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        Kernels.binary(Int32(CK_MUL), a, b, name: "mul").recorded("mul", [a, b]) { g in
            [a.requiresGrad ? (g * b).sum(to: a.shape) : nil, b.requiresGrad ? (g * a).sum(to: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        Kernels.binary(Int32(CK_DIV), a, b, name: "div").recorded("div", [a, b]) { g in
            [a.requiresGrad ? (g / b).sum(to: a.shape) : nil,
             b.requiresGrad ? (-(g * a) / (b * b)).sum(to: b.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        Kernels.unary(Int32(CK_NEG), a).recorded("neg", [a]) { g in [-g] }
    }

    // Scalar forms (the scalar is a constant).
    public static func + (a: Tensor, s: Float) -> Tensor {
        Kernels.unary(Int32(CK_ADD_SCALAR), a, s).recorded("add_scalar", [a]) { g in [g] }
    }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func - (s: Float, a: Tensor) -> Tensor {
        Kernels.unary(Int32(CK_RSUB_SCALAR), a, s).recorded("rsub_scalar", [a]) { g in [-g] }
    }
    public static func * (a: Tensor, s: Float) -> Tensor {
        Kernels.unary(Int32(CK_MUL_SCALAR), a, s).recorded("mul_scalar", [a]) { g in [g * s] }
    }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static func / (s: Float, a: Tensor) -> Tensor {
        Kernels.unary(Int32(CK_RDIV_SCALAR), a, s).recordedSavingOutput("rdiv_scalar", [a]) { g, out in [-(g * out) / a] }
    }

    /// self ** exponent, elementwise with broadcasting.
    public func pow(_ exponent: Tensor) -> Tensor {
        let a = self, b = exponent
        return Kernels.binary(Int32(CK_POW), a, b, name: "pow").recordedSavingOutput("pow", [a, b]) { g, out in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if a.requiresGrad { ga = (g * b * a.pow(b - 1)).sum(to: a.shape) }
            if b.requiresGrad {
                // PyTorch's convention: no gradient to the exponent where the base is 0.
                let safeLog = Tensor.where(a.detach().eq(0), Tensor(0), a.log())
                gb = (g * out * safeLog).sum(to: b.shape)
            }
            return [ga, gb]
        }
    }

    /// self ** p for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let a = self
        return Kernels.unary(Int32(CK_POW_SCALAR), a, p).recorded("pow_scalar", [a]) { g in
            if p == 0 { return [g * 0] }
            if p == 1 { return [g] }
            if p == 2 { return [g * a * 2] }
            return [g * a.pow(p - 1) * p]
        }
    }

    public func exp() -> Tensor {
        Kernels.unary(Int32(CK_EXP), self).recordedSavingOutput("exp", [self]) { g, out in [g * out] }
    }

    public func log() -> Tensor {
        let a = self
        return Kernels.unary(Int32(CK_LOG), a).recorded("log", [a]) { g in [g / a] }
    }

    public func sqrt() -> Tensor {
        Kernels.unary(Int32(CK_SQRT), self).recordedSavingOutput("sqrt", [self]) { g, out in [g / (out * 2)] }
    }

    public func abs() -> Tensor {
        let a = self
        return Kernels.unary(Int32(CK_ABS), a).recorded("abs", [a]) { g in [g * a.detach().sign()] }
    }

    /// -1, 0 or 1 (no gradient).
    public func sign() -> Tensor { Kernels.unary(Int32(CK_SIGN), self.detach()) }

    public func square() -> Tensor { pow(2) }

    /// Limits to [min, max]; the gradient passes where min <= x <= max (as PyTorch).
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        let a = self
        return Kernels.unary(Int32(CK_CLAMP), a, lo, hi).recorded("clamp", [a]) { g in
            [g * Kernels.unary(Int32(CK_CLAMP_MASK), a.detach(), lo, hi)]
        }
    }

    /// Elementwise maximum; where equal, the gradient is split evenly (as PyTorch).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        Kernels.binary(Int32(CK_MAX), a, b, name: "maximum").recorded("maximum", [a, b]) { g in
            let ad = a.detach(), bd = b.detach()
            let wa = Kernels.binary(Int32(CK_GT), ad, bd, name: "maximum") + Kernels.binary(Int32(CK_EQ), ad, bd, name: "maximum") * 0.5
            return [(g * wa).sum(to: a.shape), (g * (1 - wa)).sum(to: b.shape)]
        }
    }

    /// Elementwise minimum; where equal, the gradient is split evenly (as PyTorch).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        Kernels.binary(Int32(CK_MIN), a, b, name: "minimum").recorded("minimum", [a, b]) { g in
            let ad = a.detach(), bd = b.detach()
            let wa = Kernels.binary(Int32(CK_LT), ad, bd, name: "minimum") + Kernels.binary(Int32(CK_EQ), ad, bd, name: "minimum") * 0.5
            return [(g * wa).sum(to: a.shape), (g * (1 - wa)).sum(to: b.shape)]
        }
    }

    /// cond != 0 ? a : b, broadcasting all three. `cond` carries no gradient.
    public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = check { () throws(ShapeError) in
            try Shape.broadcast(try Shape.broadcast(cond.shape, a.shape, op: "where"), b.shape, op: "where")
        }
        let c = cond.detach().expandedData(to: shape), ae = a.expandedData(to: shape), be = b.expandedData(to: shape)
        let out = Tensor.uninitialized(shape)
        ck_where(c.storage.pointer, ae.storage.pointer, be.storage.pointer, out.storage.pointer, out.count)
        return out.recorded("where", [a, b]) { g in
            let zero = Tensor.zeros(like: g)
            return [a.requiresGrad ? Tensor.where(c, g, zero).sum(to: a.shape) : nil,
                    b.requiresGrad ? Tensor.where(c, zero, g).sum(to: b.shape) : nil]
        }
    }

    // Comparisons give 0/1 masks with no gradient.
    public func gt(_ o: Tensor) -> Tensor { Kernels.binary(Int32(CK_GT), detach(), o.detach(), name: "gt") }
    public func ge(_ o: Tensor) -> Tensor { Kernels.binary(Int32(CK_GE), detach(), o.detach(), name: "ge") }
    public func lt(_ o: Tensor) -> Tensor { Kernels.binary(Int32(CK_LT), detach(), o.detach(), name: "lt") }
    public func le(_ o: Tensor) -> Tensor { Kernels.binary(Int32(CK_LE), detach(), o.detach(), name: "le") }
    public func eq(_ o: Tensor) -> Tensor { Kernels.binary(Int32(CK_EQ), detach(), o.detach(), name: "eq") }
    public func gt(_ s: Float) -> Tensor { gt(Tensor(s)) }
    public func lt(_ s: Float) -> Tensor { lt(Tensor(s)) }
    public func eq(_ s: Float) -> Tensor { eq(Tensor(s)) }

    /// 1 where finite, 0 for NaN and infinities.
    public func isFiniteMask() -> Tensor { Kernels.unary(Int32(CK_ISFINITE), detach()) }
    /// True when every element is finite.
    public var allFinite: Bool { ck_all_finite(storage.pointer, count) != 0 }
    /// True when the elements `range` (of the flat contents) are all finite.
    public func allFinite(in range: Range<Int>) -> Bool {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "allFinite: range \(range) outside \(count) elements")
        return ck_all_finite(storage.pointer + range.lowerBound, range.count) != 0
    }
}

extension Tensor {
    /// log(1 + x), accurate near 0.
    public func log1p() -> Tensor {
        let a = self
        return Kernels.unary(Int32(CK_LOG1P), a).recorded("log1p", [a]) { g in [g / (a + 1)] }
    }
}
