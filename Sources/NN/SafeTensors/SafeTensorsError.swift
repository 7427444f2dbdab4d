// Every problem with a safetensors file, naming the file.

public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable, Sendable {
        case cannotOpen(String)
        case truncated(fileSize: Int)
        case headerLengthPastEnd(headerLength: UInt64, fileSize: Int)
        case headerTooLarge(UInt64)
        case headerNotJSON(String)
        case badEntry(name: String, reason: String)
        case unknownDType(name: String, dtype: String)
        case byteSizeMismatch(name: String, shape: [Int], dtype: String, expected: Int, actual: Int)
        case offsetsPastEnd(name: String, end: Int, dataSize: Int)
        case overlap(name: String, other: String)
        case gap(at: Int)
        case trailingBytes(covered: Int, dataSize: Int)
        case cannotWrite(String)
    }

    public let file: String
    public let problem: Problem

    public var description: String {
        let what: String
        switch problem {
        case .cannotOpen(let why): what = "cannot open: \(why)"
        case .truncated(let size): what = "truncated: \(size) bytes, shorter than the 8-byte header length"
        case .headerLengthPastEnd(let n, let size): what = "header length \(n) runs past the end of the file (\(size) bytes)"
        case .headerTooLarge(let n): what = "header length \(n) exceeds the 100 MB limit"
        case .headerNotJSON(let why): what = "header is not valid JSON: \(why)"
        case .badEntry(let name, let reason): what = "tensor '\(name)': \(reason)"
        case .unknownDType(let name, let d): what = "tensor '\(name)': unknown dtype '\(d)'"
        case .byteSizeMismatch(let name, let shape, let d, let expected, let actual):
            what = "tensor '\(name)': shape \(shape) of \(d) needs \(expected) bytes but its data_offsets span \(actual)"
        case .offsetsPastEnd(let name, let end, let size): what = "tensor '\(name)': data_offsets end \(end) runs past the end of the data (\(size) bytes)"
        case .overlap(let a, let b): what = "tensors '\(a)' and '\(b)' have overlapping data_offsets"
        case .gap(let at): what = "data section has unused bytes at offset \(at)"
        case .trailingBytes(let covered, let size): what = "tensors cover \(covered) bytes but the data section has \(size)"
        case .cannotWrite(let why): what = "cannot write: \(why)"
        }
        return "safetensors file \(file): \(what)"
    }
}
