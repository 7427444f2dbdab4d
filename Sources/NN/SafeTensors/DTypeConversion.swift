// Conversions between file dtypes and float32, reading unaligned little-endian bytes.

enum DTypeConversion {
    static func decode(_ src: UnsafeRawBufferPointer, as dtype: FileDType, into dst: UnsafeMutableBufferPointer<Float>) {
        let count = dst.count
        precondition(src.count == count * dtype.size)
        guard count > 0 else { return }
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(dst.baseAddress!).copyMemory(from: src.baseAddress!, byteCount: src.count)
        case .f64: for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .f16: for i in 0..<count { dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16: for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        case .i64: for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .i32: for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .i16: for i in 0..<count { dst[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .i8: for i in 0..<count { dst[i] = Float(Int8(bitPattern: src[i])) }
        case .u64: for i in 0..<count { dst[i] = Float(UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .u32: for i in 0..<count { dst[i] = Float(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .u16: for i in 0..<count { dst[i] = Float(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .u8: for i in 0..<count { dst[i] = Float(src[i]) }
        case .bool: for i in 0..<count { dst[i] = src[i] != 0 ? 1 : 0 }
        }
    }

    static func encode(_ src: UnsafeBufferPointer<Float>, as dtype: FileDType, into dst: UnsafeMutableRawBufferPointer) {
        let count = src.count
        precondition(dst.count == count * dtype.size)
        guard count > 0 else { return }
        switch dtype {
        case .f32: dst.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: dst.count)
        case .f64: for i in 0..<count { dst.storeBytes(of: Double(src[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        case .f16: for i in 0..<count { dst.storeBytes(of: floatToHalf(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16: for i in 0..<count { dst.storeBytes(of: floatToBFloat(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .i64: for i in 0..<count { dst.storeBytes(of: (integer(src[i]) as Int64).littleEndian, toByteOffset: 8 * i, as: Int64.self) }
        case .i32: for i in 0..<count { dst.storeBytes(of: (integer(src[i]) as Int32).littleEndian, toByteOffset: 4 * i, as: Int32.self) }
        case .i16: for i in 0..<count { dst.storeBytes(of: (integer(src[i]) as Int16).littleEndian, toByteOffset: 2 * i, as: Int16.self) }
        case .i8: for i in 0..<count { dst[i] = UInt8(bitPattern: integer(src[i]) as Int8) }
        case .u64: for i in 0..<count { dst.storeBytes(of: (integer(src[i]) as UInt64).littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        case .u32: for i in 0..<count { dst.storeBytes(of: (integer(src[i]) as UInt32).littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        case .u16: for i in 0..<count { dst.storeBytes(of: (integer(src[i]) as UInt16).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .u8: for i in 0..<count { dst[i] = integer(src[i]) as UInt8 }
        case .bool: for i in 0..<count { dst[i] = src[i] != 0 ? 1 : 0 }
        }
    }

    /// Rounded to the nearest integer and clamped to the type's range (NaN becomes 0).
    static func integer<I: FixedWidthInteger>(_ f: Float) -> I {
        if f.isNaN { return 0 }
        let r = f.rounded()
        if r <= Float(I.min) { return I.min }
        if r >= Float(I.max) { return I.max }
        return I(r)
    }

    /// IEEE half to float by bits (no dependence on the platform's Float16 support).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            let v = Float(mant) * 0x1p-24  // zero or subnormal
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }

    /// Float to IEEE half, round to nearest even.
    static func floatToHalf(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        if f.isNaN { return sign | 0x7E00 }
        let a = Swift.abs(f)
        if a >= 65520 { return sign | 0x7C00 }  // rounds to infinity
        if a < 0x1p-14 {  // subnormal half: multiples of 2^-24
            return sign | UInt16((a * 0x1p24).rounded(.toNearestOrEven))
        }
        let exp = Int((a.bitPattern >> 23) & 0xFF) - 127 + 15
        let mant = a.bitPattern & 0x7F_FFFF
        var h = UInt32(exp) << 10 | (mant >> 13)
        let rest = mant & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1) { h += 1 }  // carries into exponent correctly
        return sign | UInt16(h)
    }

    static func floatToBFloat(_ f: Float) -> UInt16 {
        if f.isNaN { return UInt16(f.bitPattern >> 16) | 0x40 }
        let b = f.bitPattern
        let rounded = b &+ 0x7FFF &+ ((b >> 16) & 1)
        return UInt16(rounded >> 16)
    }
}
