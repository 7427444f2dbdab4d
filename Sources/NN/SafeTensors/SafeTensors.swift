// The safetensors format: 8-byte little-endian header length, a JSON header mapping each
// name to dtype, shape and data_offsets (relative to the data section), then the raw
// little-endian data. Files from elsewhere are untrusted: the header is validated
// against the file size before anything is allocated.
import Foundation
import Autograd

public enum SafeTensors {
    /// Reads every tensor of a file, converted to float32.
    public static func read(_ path: String) throws(SafeTensorsError) -> StateDict {
        try read(path, including: { _ in true })
    }

    /// Reads the tensors whose names pass `including` (the file is mapped, so the others
    /// are never loaded: VGG19's feature layers are 80 MB of a 548 MB file).
    public static func read(_ path: String, including: (String) -> Bool) throws(SafeTensorsError) -> StateDict {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw SafeTensorsError(file: path, problem: .cannotOpen(error.localizedDescription))
        }
        let result = data.withUnsafeBytes { raw in
            Result { () throws(SafeTensorsError) in try decode(raw, file: path, including: including) }
        }
        return try result.get()
    }

    /// Decodes an in-memory file; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(SafeTensorsError) -> StateDict {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SafeTensorsError) in try decode(raw, file: file) }
        }
        return try result.get()
    }

    /// Decodes the bytes of a safetensors file; `file` names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, file: String = "<memory>",
                              including: (String) -> Bool = { _ in true }) throws(SafeTensorsError) -> StateDict {
        func fail(_ p: SafeTensorsError.Problem) -> SafeTensorsError { SafeTensorsError(file: file, problem: p) }
        guard bytes.count >= 8 else { throw fail(.truncated(fileSize: bytes.count)) }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else { throw fail(.headerLengthPastEnd(headerLength: headerLength, fileSize: bytes.count)) }
        guard headerLength <= SafeTensorsHeader.maxHeaderLength else { throw fail(.headerTooLarge(headerLength)) }
        let dataStart = 8 + Int(headerLength)
        let header = Array(bytes[8..<dataStart])
        let (records, metadata) = try SafeTensorsHeader.parse(header, dataSize: bytes.count - dataStart, file: file)

        // Keep the header's order for the dict (records were sorted by offset).
        var dict = StateDict()
        dict.metadata = metadata
        let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        var byName: [String: (Tensor, FileDType)] = [:]
        for r in records where including(r.name) {
            let t = Tensor(shape: r.shape) { elements in
                DTypeConversion.decode(UnsafeRawBufferPointer(rebasing: data[r.begin..<r.end]), as: r.dtype, into: elements)
            }
            byName[r.name] = (t, r.dtype)
        }
        for name in headerOrder(header) {
            if let (t, dtype) = byName[name] { dict.set(name, t, fileType: dtype) }
        }
        return dict
    }

    /// The header (length prefix, JSON, padding to 8 bytes) of a safetensors file holding
    /// `dict`, and the size of its data section.
    private static func header(_ dict: StateDict) -> (bytes: [UInt8], dataSize: Int) {
        var fields: [(String, JSONValue)] = []
        if !dict.metadata.isEmpty {
            fields.append(("__metadata__", .object(dict.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var offset = 0
        for name in dict.names {
            let e = dict.entry(name)!
            let size = e.tensor.count * e.fileType.size
            fields.append((name, .object([
                ("dtype", .string(e.fileType.rawValue)),
                ("shape", .array(e.tensor.shape.map { .integer(Int64($0)) })),
                ("data_offsets", .array([.integer(Int64(offset)), .integer(Int64(offset + size))])),
            ])))
            offset += size
        }
        var json = Array(JSONWriter.write(.object(fields)).utf8)
        while json.count % 8 != 0 { json.append(0x20) }  // align the data section
        var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        bytes += json
        return (bytes, offset)
    }

    /// The bytes of a safetensors file holding `dict` (each tensor in its `fileType`).
    public static func encode(_ dict: StateDict) -> [UInt8] {
        let (head, dataSize) = header(dict)
        var out = head + [UInt8](repeating: 0, count: dataSize)
        out.withUnsafeMutableBytes { raw in
            var at = head.count
            for name in dict.names {
                let e = dict.entry(name)!
                let size = e.tensor.count * e.fileType.size
                e.tensor.withUnsafeElements { elements in
                    DTypeConversion.encode(elements, as: e.fileType,
                                           into: UnsafeMutableRawBufferPointer(rebasing: raw[at..<(at + size)]))
                }
                at += size
            }
        }
        return out
    }

    /// Writes atomically: a temporary file in the same folder, flushed, then renamed over
    /// `path`, so a crash never leaves a half-written checkpoint. Tensors stream to the file
    /// (float32 straight from their storage, other types through a 2 MiB buffer), so
    /// saving never holds a second copy of the model in memory.
    public static func write(_ dict: StateDict, to path: String) throws(SafeTensorsError) {
        let (head, _) = header(dict)
        try AtomicFile.write(to: path) { (sink) throws(SafeTensorsError) in
            try sink.write(head)
            let chunk = 1 << 18  // elements per conversion
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk * 8, alignment: 16)
            defer { buffer.deallocate() }
            for name in dict.names {
                let e = dict.entry(name)!
                try e.tensor.withUnsafeElements { (source) throws(SafeTensorsError) in
                    if e.fileType == .f32 && UInt32(1).littleEndian == 1 {
                        try sink.write(UnsafeRawBufferPointer(source))
                        return
                    }
                    var start = 0
                    while start < source.count {
                        let n = min(chunk, source.count - start)
                        let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(n * e.fileType.size)])
                        DTypeConversion.encode(UnsafeBufferPointer(rebasing: source[start..<(start + n)]), as: e.fileType, into: part)
                        try sink.write(UnsafeRawBufferPointer(part))
                        start += n
                    }
                }
            }
        }
    }

    /// Tensor names in the order the header lists them (JSON objects keep order for us).
    private static func headerOrder(_ header: [UInt8]) -> [String] {
        guard case .object(let m)? = try? JSONParser.parse(header) else { return [] }
        return m.map(\.0).filter { $0 != "__metadata__" }
    }
}
