// The on-disk layouts the runtime reads, recognised from a dataset root's contents, so a
// user's copy of a standard set (or a folder of their own) works under any name.
import Foundation

public enum DatasetFormat: String, Sendable {
    /// The four IDX files of MNIST (gzipped or not).
    case mnist
    /// MNIST-M as `gan data mnistm` writes it (IDX, 28x28x3 images and MNIST's labels).
    case mnistm
    /// `img_align_celeba/` and `list_attr_celeba.txt`.
    case celeba
    /// BSDS500's `images/train/` (and `val/`, `test/`).
    case bsds500
    /// CycleGAN's `trainA/ trainB/` (and `testA/ testB/`).
    case unpaired
    /// pix2pix's `train/` (and `val/`, `test/`) of A|B side-by-side images.
    case paired
    /// A folder of PNG/JPEG images.
    case folder

    /// The layout of the folder at `root`, or nil when it holds none of them.
    public static func detect(_ root: URL) -> DatasetFormat? {
        let fm = FileManager.default
        func has(_ path: String) -> Bool { fm.fileExists(atPath: root.appendingPathComponent(path).path) }
        if has("train-images-idx3-ubyte.gz") || has("train-images-idx3-ubyte") { return .mnist }
        if has("train-images-idx4-ubyte.gz") || has("train-images-idx4-ubyte") { return .mnistm }
        if has("img_align_celeba") { return .celeba }
        if has("images/train") { return .bsds500 }
        if has("trainA") { return .unpaired }
        if has("train") { return .paired }
        let names = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        if names.contains(where: { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }) { return .folder }
        return nil
    }

    /// The folder of single images this layout offers to models of single images.
    func imageFolder(_ root: URL) -> URL? {
        switch self {
        case .celeba: return root.appendingPathComponent("img_align_celeba")
        case .bsds500: return root.appendingPathComponent("images/train")
        case .folder: return root
        case .mnist, .mnistm, .unpaired, .paired: return nil
        }
    }
}
