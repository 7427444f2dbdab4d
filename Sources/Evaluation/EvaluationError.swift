// One-sentence errors for bad input to the evaluation (files, shapes, labels).
public struct EvaluationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
