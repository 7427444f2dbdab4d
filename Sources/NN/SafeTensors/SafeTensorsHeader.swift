// Parsing and validating a safetensors header against the size of its data section,
// before any tensor memory is allocated.

struct TensorRecord {
    let name: String
    let dtype: FileDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

enum SafeTensorsHeader {
    static let maxHeaderLength: UInt64 = 100_000_000

    /// Validated records (sorted by offset) and metadata. Guarantees that records tile
    /// the data section exactly and each byte span equals element count x dtype size.
    static func parse(_ json: [UInt8], dataSize: Int, file: String) throws(SafeTensorsError) -> (records: [TensorRecord], metadata: [String: String]) {
        func fail(_ p: SafeTensorsError.Problem) -> SafeTensorsError { SafeTensorsError(file: file, problem: p) }
        let root: JSONValue
        do { root = try JSONParser.parse(json) } catch { throw fail(.headerNotJSON(error.description)) }
        guard case .object(let members) = root else { throw fail(.headerNotJSON("top level is not an object")) }

        var records: [TensorRecord] = []
        var metadata: [String: String] = [:]
        var seen = Set<String>()
        for (name, value) in members {
            guard seen.insert(name).inserted else { throw fail(.badEntry(name: name, reason: "listed twice")) }
            if name == "__metadata__" {
                guard case .object(let kv) = value else { throw fail(.badEntry(name: name, reason: "metadata is not an object")) }
                for (k, v) in kv {
                    guard case .string(let s) = v else { throw fail(.badEntry(name: name, reason: "metadata value for '\(k)' is not a string")) }
                    metadata[k] = s
                }
                continue
            }
            records.append(try record(name, value, fail))
        }

        for r in records {
            guard r.end <= dataSize else { throw fail(.offsetsPastEnd(name: r.name, end: r.end, dataSize: dataSize)) }
        }
        records.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        for (k, r) in records.enumerated() {
            if r.begin < position { throw fail(.overlap(name: r.name, other: records[k - 1].name)) }
            if r.begin > position { throw fail(.gap(at: position)) }
            position = r.end
        }
        guard position == dataSize else { throw fail(.trailingBytes(covered: position, dataSize: dataSize)) }
        return (records, metadata)
    }

    private static func record(_ name: String, _ value: JSONValue, _ fail: (SafeTensorsError.Problem) -> SafeTensorsError) throws(SafeTensorsError) -> TensorRecord {
        guard case .object(let fields) = value else { throw fail(.badEntry(name: name, reason: "entry is not an object")) }
        var dtypeText: String?
        var shape: [Int]?
        var offsets: (Int, Int)?
        for (key, v) in fields {
            switch key {
            case "dtype":
                guard case .string(let s) = v else { throw fail(.badEntry(name: name, reason: "dtype is not a string")) }
                dtypeText = s
            case "shape":
                guard case .array(let dims) = v else { throw fail(.badEntry(name: name, reason: "shape is not an array")) }
                var s: [Int] = []
                for d in dims {
                    guard case .integer(let n) = d, n >= 0 else { throw fail(.badEntry(name: name, reason: "shape has a dimension that is not a non-negative integer")) }
                    s.append(Int(n))
                }
                shape = s
            case "data_offsets":
                guard case .array(let pair) = v, pair.count == 2,
                      case .integer(let b) = pair[0], case .integer(let e) = pair[1] else {
                    throw fail(.badEntry(name: name, reason: "data_offsets is not a pair of integers"))
                }
                guard b >= 0, e >= b else { throw fail(.badEntry(name: name, reason: "data_offsets [\(b), \(e)] are negative or reversed")) }
                offsets = (Int(b), Int(e))
            default:
                continue  // tolerate extra fields from future writers
            }
        }
        guard let dtypeText else { throw fail(.badEntry(name: name, reason: "no dtype")) }
        guard let shape else { throw fail(.badEntry(name: name, reason: "no shape")) }
        guard let offsets else { throw fail(.badEntry(name: name, reason: "no data_offsets")) }
        guard let dtype = FileDType(rawValue: dtypeText) else { throw fail(.unknownDType(name: name, dtype: dtypeText)) }

        // Element count and byte size with overflow checks: a forged shape must not wrap.
        var bytes = dtype.size
        var overflow = false
        for d in shape where !overflow {
            (bytes, overflow) = bytes.multipliedReportingOverflow(by: d)
        }
        let span = offsets.1 - offsets.0
        if overflow || bytes != span {
            throw fail(.byteSizeMismatch(name: name, shape: shape, dtype: dtypeText, expected: overflow ? Int.max : bytes, actual: span))
        }
        return TensorRecord(name: name, dtype: dtype, shape: shape, begin: offsets.0, end: offsets.1)
    }
}
