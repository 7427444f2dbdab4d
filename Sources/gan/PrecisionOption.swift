// `--precision fp32|bf16` of `gan train` and `gan bench`: the precision of the training
// step's matrix products and convolutions (Autograd's Precision).
import ArgumentParser
import Autograd

extension Precision: ExpressibleByArgument {}

/// The precision asked for, refused with one sentence before anything starts when this CPU
/// cannot compute it.
func checked(_ precision: Precision) throws -> Precision {
    if precision == .bf16 && !Precision.bf16Supported { throw ToolError("\(PrecisionError.unsupported(precision))") }
    return precision
}
