// The catalog of standard datasets: where each comes from (the publisher's own address),
// how its archive maps onto the folder the loaders read, and the layout with counts that
// every fetch is verified against (by checksum where the publisher gives one, by layout and
// counts always). The counts are those of the publishers' releases.
import Foundation

/// A dataset the models of the zoo train on, as its publisher lays it out.
public struct StandardDataset: Sendable {
    /// How the dataset is obtained.
    public enum Source: Sendable {
        /// One archive; the members under `root` become the dataset's folder.
        case archive(URL, kind: ArchiveKind, root: String, sha256: String?)
        /// Separate files from the first mirror that has them, each checked against the
        /// SHA-256 of its content (MNIST).
        case files(mirrors: [URL], names: [String])
        /// Made from other datasets by a `gan data` command.
        case built(command: String)
        /// No stable direct address: the user downloads it by hand.
        case manual(String)
    }

    /// The name commands take: `gan data fetch facades`.
    public let name: String
    /// The folder name under the data directory (see `DataLocation`).
    public let folder: String
    public let title: String
    /// Whom to cite, and the licence where the publisher states one.
    public let citation: String
    public let source: Source
    public let layout: DatasetLayout

    /// The first folder where the dataset is looked for that exists, or nil.
    public func location() -> URL? { DataLocation.find(folder) }

    /// The command that gets the dataset, or the manual steps.
    public var howToGet: String {
        switch source {
        case .archive, .files: return "gan data fetch \(name)"
        case .built(let command): return command
        case .manual: return "by hand (see `gan data fetch \(name)`)"
        }
    }

    /// The dataset called `name` (case-insensitive), or nil.
    public static func named(_ name: String) -> StandardDataset? {
        all.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public static let all: [StandardDataset] = [mnist, mnistm, bsds500, celeba] + pix2pixSets + cycleGANSets
}

extension StandardDataset {
    static let mnist = StandardDataset(
        name: "mnist", folder: "mnist", title: "MNIST handwritten digits (60,000 train, 10,000 test; a copy is built in)",
        citation: "LeCun, Cortes, Burges, The MNIST database of handwritten digits; CC BY-SA 3.0",
        source: .files(mirrors: MNISTDownloader.defaultMirrors, names: MNISTDownloader.contentSHA256.keys.sorted().map { $0 + ".gz" }),
        layout: DatasetLayout(MNISTDownloader.contentSHA256.keys.sorted().map { .file($0 + ".gz") }))

    static let mnistm = StandardDataset(
        name: "mnistm", folder: "mnistm", title: "MNIST-M: MNIST digits blended with BSDS500 photo patches",
        citation: "Ganin & Lempitsky, Unsupervised Domain Adaptation by Backpropagation, ICML 2015; built from MNIST and BSDS500",
        source: .built(command: "gan data mnistm"),
        layout: DatasetLayout(MNISTM.fileNames.map { .file($0) }))

    static let bsds500 = StandardDataset(
        name: "bsds500", folder: "BSDS500", title: "Berkeley Segmentation Data Set 500 (images; used for MNIST-M)",
        citation: "Arbelaez, Maire, Fowlkes, Malik, Contour Detection and Hierarchical Image Segmentation, TPAMI 2011",
        source: .archive(URL(string: "http://www.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/BSR/BSR_bsds500.tgz")!,
                         kind: .tarGzip, root: "BSR/BSDS500/data", sha256: nil),
        layout: DatasetLayout([.images("images/train", count: 200), .images("images/val", count: 100), .images("images/test", count: 200)]))

    static let celeba = StandardDataset(
        name: "celeba", folder: "celeba", title: "CelebA aligned and cropped faces with 40 attributes",
        citation: "Liu, Luo, Wang, Tang, Deep Learning Face Attributes in the Wild, ICCV 2015; non-commercial research use only",
        source: .manual("""
            CelebA has no stable direct download address (the publisher serves it from Google Drive and \
            Baidu behind a licence agreement). Get it by hand from https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html: \
            download img_align_celeba.zip and list_attr_celeba.txt (folder Anno), unzip the images, and arrange \
            celeba/img_align_celeba/000001.jpg ... 202599.jpg and celeba/list_attr_celeba.txt under \
            $SWIFTGAN_DATA_DIR or ./data; `gan data list` then checks the folder.
            """),
        layout: DatasetLayout([.images("img_align_celeba", count: 202_599), .file("list_attr_celeba.txt")]))

    /// The pix2pix sets: one A|B JPEG per pair in train/ val/ (test/).
    static let pix2pixSets: [StandardDataset] = [
        pix2pix("facades", "CMP Facades: label maps and photos, A|B pairs",
                "Tylecek & Sara, Spatial Pattern Templates for Recognition of Objects with Regular Structure, GCPR 2013",
                [("train", 400), ("val", 100), ("test", 106)]),
        pix2pix("edges2shoes", "UT Zappos50K shoes with HED edges, A|B pairs",
                "Yu & Grauman, Fine-Grained Visual Comparisons with Local Learning, CVPR 2014; edges by Isola et al. 2017",
                [("train", 49_825), ("val", 200)]),
        pix2pix("edges2handbags", "Amazon handbags with HED edges, A|B pairs",
                "Zhu, Krähenbühl, Shechtman, Efros, Generative Visual Manipulation on the Natural Image Manifold, ECCV 2016",
                [("train", 138_567), ("val", 200)]),
        pix2pix("maps", "Google Maps aerial photos and map tiles, A|B pairs",
                "Isola, Zhu, Zhou, Efros, Image-to-Image Translation with Conditional Adversarial Networks, CVPR 2017",
                [("train", 1_096), ("val", 1_098)]),
        pix2pix("cityscapes", "Cityscapes photos and label maps, A|B pairs",
                "Cordts et al., The Cityscapes Dataset for Semantic Urban Scene Understanding, CVPR 2016; Cityscapes licence",
                [("train", 2_975), ("val", 500)]),
    ]

    /// The CycleGAN sets: unpaired trainA/ trainB/ testA/ testB/.
    static let cycleGANSets: [StandardDataset] = [
        cycleGAN("monet2photo", "Monet paintings and landscape photos", (1_072, 6_287, 121, 751)),
        cycleGAN("cezanne2photo", "Cezanne paintings and landscape photos", (525, 6_287, 58, 751)),
        cycleGAN("ukiyoe2photo", "Ukiyo-e prints and landscape photos", (562, 6_287, 263, 751)),
        cycleGAN("vangogh2photo", "Van Gogh paintings and landscape photos", (400, 6_287, 400, 751)),
        cycleGAN("horse2zebra", "ImageNet horses and zebras", (1_067, 1_334, 120, 140)),
        cycleGAN("apple2orange", "ImageNet apples and oranges", (995, 1_019, 266, 248)),
        cycleGAN("summer2winter_yosemite", "Yosemite in summer and winter (Flickr)", (1_231, 962, 309, 238)),
        cycleGAN("iphone2dslr_flower", "Flower photos from iPhones and DSLRs (Flickr)", (1_812, 3_325, 569, 480)),
    ]

    private static func pix2pix(_ name: String, _ title: String, _ citation: String, _ splits: [(String, Int)]) -> StandardDataset {
        StandardDataset(
            name: name, folder: name, title: title, citation: citation,
            source: .archive(URL(string: "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/\(name).tar.gz")!,
                             kind: .tarGzip, root: name, sha256: nil),
            layout: DatasetLayout(splits.map { .images($0.0, count: $0.1) }))
    }

    private static func cycleGAN(_ name: String, _ title: String, _ counts: (Int, Int, Int, Int)) -> StandardDataset {
        StandardDataset(
            name: name, folder: name, title: title + " (unpaired)",
            citation: "Zhu, Park, Isola, Efros, Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks, ICCV 2017",
            source: .archive(URL(string: "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/\(name).zip")!,
                             kind: .zip, root: name, sha256: nil),
            layout: DatasetLayout([.images("trainA", count: counts.0), .images("trainB", count: counts.1),
                                   .images("testA", count: counts.2), .images("testB", count: counts.3)]))
    }
}
