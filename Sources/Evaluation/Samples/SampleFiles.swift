// Samples to score, read from what users have: a .npy array, a folder of PNGs, or one
// grid PNG as torchvision's save_image writes it. All come back as [N, 1, 28, 28] in [-1, 1].
import Autograd
import Foundation
import Vision

public enum SampleFiles {
    /// float32 [N, 1, H, W] or [N, H, W] in [-1, 1], resized to 28x28 if needed.
    public static func readNPY(_ url: URL) throws -> Tensor {
        let t: Tensor
        do { t = try NPY.read(url) } catch { throw EvaluationError("cannot read \(url.path) as a float32 .npy array: \(error)") }
        let images: Tensor
        switch t.rank {
        case 4 where t.shape[1] == 1: images = t
        case 3: images = t.reshape([t.shape[0], 1, t.shape[1], t.shape[2]])
        default:
            throw EvaluationError("\(url.path) holds an array of shape \(t.shape); expected N x 1 x H x W gray images")
        }
        let values = images.scalars
        if let bad = values.first(where: { !$0.isFinite || $0 < -1.01 || $0 > 1.01 }) {
            throw EvaluationError("\(url.path) holds the value \(bad); samples must be in [-1, 1] (the generators' tanh range)")
        }
        return resizedTo28(images)
    }

    /// Every .png in `folder` (sorted by name), one sample each.
    public static func readPNGFolder(_ folder: URL) throws -> Tensor {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.lowercased().hasSuffix(".png") }.sorted()
        guard !names.isEmpty else { throw EvaluationError("the folder \(folder.path) holds no .png files") }
        var images = [Tensor]()
        for name in names {
            let url = folder.appendingPathComponent(name)
            let image = try decode(url)
            // A grid scored as one sample would skew every number: refused.
            func cells(_ side: Int, _ cell: Int) -> Int? {
                (side - 2) % (cell + 2) == 0 && (side - 2) / (cell + 2) >= 2 ? (side - 2) / (cell + 2) : nil
            }
            if let cell = [28, 32].first(where: { cells(image.width, $0) != nil && cells(image.height, $0) != nil }) {
                throw EvaluationError("\(url.path) is a grid of \(cells(image.width, cell)!)x\(cells(image.height, cell)!) samples, not one sample; give gan eval the grid file itself, or a folder of single samples")
            }
            images.append(resizedTo28(tensor(of: image)))
        }
        return Tensor.concat(images, dim: 0)
    }

    /// The samples of a grid PNG with `nrow` images per row and `padding` pixels around
    /// each (save_image's layout). Cells are square; nil `nrow` tries 28- and 32-pixel
    /// cells. Empty cells at the end of the last row (all padding) are dropped.
    public static func readGrid(_ url: URL, nrow: Int?, padding: Int = 2) throws -> Tensor {
        guard padding >= 0 else { throw EvaluationError("--grid-padding must not be negative, got \(padding)") }
        let image = try decode(url)
        let (gw, gh) = (image.width, image.height)
        let perRow: Int
        if let nrow {
            guard nrow > 0 else { throw EvaluationError("--grid-nrow must be positive, got \(nrow)") }
            perRow = nrow
        } else if let guess = [28, 32].first(where: { (gw - padding) % ($0 + padding) == 0 && gw > padding }) {
            perRow = (gw - padding) / (guess + padding)
        } else {
            throw EvaluationError("cannot tell the layout of the \(gw)x\(gh) grid \(url.path); give --grid-nrow (and --grid-padding if not 2)")
        }
        let cell = (gw - padding) / perRow - padding
        guard cell > 0, (cell + padding) * perRow + padding == gw else {
            throw EvaluationError("a \(gw)-pixel-wide grid cannot hold \(perRow) images per row with padding \(padding)")
        }
        let rows = (gh - padding) / (cell + padding)
        guard rows > 0, rows * (cell + padding) + padding == gh else {
            throw EvaluationError("the \(gw)x\(gh) grid does not divide into square \(cell)-pixel cells with padding \(padding)")
        }
        let whole = tensor(of: image)
        var cells = [Tensor]()
        for r in 0..<rows {
            for c in 0..<perRow {
                let y = padding + r * (cell + padding), x = padding + c * (cell + padding)
                cells.append(whole.slice(dim: 2, start: y, end: y + cell).slice(dim: 3, start: x, end: x + cell))
            }
        }
        // save_image fills the missing cells of the last row with the padding value (0).
        while let last = cells.last, cells.count > perRow * (rows - 1), last.scalars.allSatisfy({ $0 == -1 }) { cells.removeLast() }
        return resizedTo28(Tensor.concat(cells, dim: 0))
    }

    static func decode(_ url: URL) throws -> Image {
        do { return try Image(contentsOf: url) } catch { throw EvaluationError("cannot read the image \(url.path): \(error)") }
    }

    /// [1, 1, H, W] in [-1, 1] from an 8-bit image (colour turned gray).
    static func tensor(of image: Image) -> Tensor {
        let gray = image.channels == 1 ? image : image.grayscale()
        return Tensor(shape: [1, 1, gray.height, gray.width], scalars: gray.pixels.map { Float($0) / 127.5 - 1 })
    }
}
