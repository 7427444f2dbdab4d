// Property wrappers that mark a module's stored tensors as parameters or buffers, so the
// module finds them by reflection (no hand-written lists) and names them after the property.
import Autograd

/// How a tensor is stored in a state-dict file. Our tensors are always float32 in memory;
/// integer buffers (PyTorch's `num_batches_tracked` is int64) keep their file type so a
/// state dict we write loads into PyTorch with the same dtypes.
public enum FileDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        }
    }
}

/// A tensor, or an optional one (a bias that may be absent).
public protocol TensorValue {
    var tensorIfPresent: Tensor? { get }
}
extension Tensor: TensorValue {
    public var tensorIfPresent: Tensor? { self }
}
extension Optional: TensorValue where Wrapped == Tensor {
    public var tensorIfPresent: Tensor? { self }
}

/// What reflection looks for in a module's stored properties.
protocol ParameterSlot {
    var tensor: Tensor? { get }
}
protocol BufferSlot {
    var tensor: Tensor? { get }
    var fileType: FileDType { get }
    var persistent: Bool { get }
}

/// A trainable tensor (PyTorch's nn.Parameter). Assigned tensors become gradient-requiring
/// leaves; freeze a parameter by setting `requiresGrad = false` (see `Module.freeze`).
@propertyWrapper
public struct Parameter<Value: TensorValue>: ParameterSlot {
    private var value: Value
    public init(wrappedValue: Value) {
        value = wrappedValue
        Self.makeLeaf(wrappedValue)
    }
    public var wrappedValue: Value {
        get { value }
        set { value = newValue; Self.makeLeaf(newValue) }
    }
    var tensor: Tensor? { value.tensorIfPresent }

    private static func makeLeaf(_ v: Value) {
        guard let t = v.tensorIfPresent else { return }
        precondition(t.isLeaf, "a parameter must be a leaf tensor: assign `t.detach()` instead of a computed tensor")
        t.requiresGrad = true
    }
}

/// State that is saved with the model but not trained (batch-norm running statistics).
@propertyWrapper
public struct Buffer<Value: TensorValue>: BufferSlot {
    public var wrappedValue: Value
    /// The dtype written to files (float32 unless the PyTorch buffer is an integer).
    public let fileType: FileDType
    /// Non-persistent buffers are not part of the state dict (PyTorch's persistent=False).
    public let persistent: Bool
    public init(wrappedValue: Value, fileType: FileDType = .f32, persistent: Bool = true) {
        self.wrappedValue = wrappedValue
        self.fileType = fileType
        self.persistent = persistent
    }
    var tensor: Tensor? { wrappedValue.tensorIfPresent }
}
