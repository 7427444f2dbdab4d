// Decoding PNG and JPEG files through the system libraries (via the C shim, which turns
// their longjmp-based errors into return codes).
import CVisionShim
import Foundation

/// The image file formats Vision reads.
public enum ImageFormat: Sendable {
    case png, jpeg

    /// The format named by the leading magic bytes, or nil.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 8 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E && bytes[3] == 0x47 { return .png }
        if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF { return .jpeg }
        return nil
    }
}

extension Image {
    /// Reads and decodes a PNG or JPEG file (format taken from its bytes, not its name).
    public init(contentsOf url: URL) throws {
        try self.init(decoding: try FileIO.read(url), file: url.path)
    }

    /// Decodes PNG or JPEG bytes; `file` names the source in errors.
    public init(decoding bytes: [UInt8], file: String = "<memory>") throws {
        guard !bytes.isEmpty else { throw DataError(.corrupt, file: file, "empty file, not an image") }
        guard let format = ImageFormat.sniff(bytes) else {
            throw DataError(.corrupt, file: file, "not a PNG or JPEG image (unrecognised leading bytes)")
        }
        var decoded = sg_image()
        let status = bytes.withUnsafeBufferPointer { input in
            switch format {
            case .png: return sg_png_decode(input.baseAddress, input.count, &decoded)
            case .jpeg: return sg_jpeg_decode(input.baseAddress, input.count, &decoded)
            }
        }
        guard status == 0, let pixels = decoded.pixels else {
            let name = format == .png ? "PNG" : "JPEG"
            throw DataError(.corrupt, file: file, "bad \(name): \(cMessage(tuple: decoded.message))")
        }
        defer { sg_free(pixels) }
        let count = Int(decoded.width) * Int(decoded.height) * Int(decoded.channels)
        self.init(width: Int(decoded.width), height: Int(decoded.height), channels: Int(decoded.channels),
                  pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}
