// PNG encoding through libpng, and atomic writing of the result.
import CVisionShim
import Foundation

extension Image {
    /// The image as PNG bytes (8-bit, colour type from the channel count).
    public func pngData(compressionLevel: Int = 6) throws -> [UInt8] {
        guard width > 0 && height > 0 else {
            throw DataError(.unwritable, file: "<png>", "cannot encode an empty \(width)x\(height) image")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
        let status = pixels.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                sg_png_encode(input.baseAddress, Int32(width), Int32(height), Int32(channels), Int32(compressionLevel),
                              &out, &size, text.baseAddress)
            }
        }
        guard status == 0, let out else { throw DataError(.unwritable, file: "<png>", cMessage(message)) }
        defer { sg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// Writes the image as a PNG file, atomically (temp file + rename).
    public func writePNG(to url: URL, compressionLevel: Int = 6) throws {
        let bytes: [UInt8]
        do {
            bytes = try pngData(compressionLevel: compressionLevel)
        } catch let error as DataError {
            throw DataError(error.kind, file: url.path, error.problem)
        }
        try FileIO.writeAtomically(bytes, to: url)
    }
}
