// Turning the C shim's NUL-terminated message buffers into Swift strings.

/// The text of a NUL-terminated C character buffer.
func cMessage(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The text of a fixed-size C character array imported as a tuple.
func cMessage<T>(tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}
