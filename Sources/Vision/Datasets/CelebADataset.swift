// CelebA's layout: `img_align_celeba/` and `list_attr_celeba.txt` (line 1: the count,
// line 2: the attribute names, then `<file> <one 1/-1 per attribute>` per image).
import Autograd
import Foundation

/// CelebA-style faces with chosen attributes as 0/1 labels (in the order asked for).
public struct CelebADataset: Dataset {
    public let files: [URL]
    /// Row i holds the chosen attributes of files[i], as 0 or 1.
    public let attributes: [[Float]]
    public let attributeNames: [String]
    public let transform: ImageTransform

    public init(root: URL, attributes selected: [String], transform: ImageTransform = ImageTransform(),
                imageFolder: String = "img_align_celeba", attributeFile: String = "list_attr_celeba.txt") throws {
        let listURL = root.appendingPathComponent(attributeFile)
        let table = try CelebAAttributeTable(contentsOf: listURL)
        var columns = [Int]()
        for name in selected {
            guard let column = table.names.firstIndex(of: name) else {
                throw DataError(.mismatch, file: listURL.path,
                                "no attribute named '\(name)'; it has: \(table.names.joined(separator: " "))")
            }
            columns.append(column)
        }
        let imageDirectory = root.appendingPathComponent(imageFolder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: imageDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError(.unreadable, file: imageDirectory.path, "no such image folder")
        }
        files = table.fileNames.map { imageDirectory.appendingPathComponent($0) }
        // Rows that name no image would fail mid-training; say so now, naming the first.
        let missing = files.filter { !FileManager.default.fileExists(atPath: $0.path) }
        if let first = missing.first {
            throw DataError(.mismatch, file: listURL.path,
                            "lists \(first.lastPathComponent), which is not in \(imageFolder)/ (\(missing.count) of the \(files.count) listed images are missing)")
        }
        attributes = table.values.map { row in columns.map { row[$0] > 0 ? 1 : 0 } }
        attributeNames = selected
        self.transform = transform
    }

    private init(files: [URL], attributes: [[Float]], attributeNames: [String], transform: ImageTransform) {
        self.files = files
        self.attributes = attributes
        self.attributeNames = attributeNames
        self.transform = transform
    }

    /// The faces but the last `last` (in the list's order), and those last ones: all of them
    /// for both when there are no more than `last` (stargan and its attribute classifier
    /// train on the first part and are evaluated on the second, as the reference holds out its last 2000).
    public func split(heldOut last: Int) -> (kept: CelebADataset, heldOut: CelebADataset) {
        guard last > 0, count > last else { return (self, self) }
        func part(_ range: Range<Int>) -> CelebADataset {
            CelebADataset(files: Array(files[range]), attributes: Array(attributes[range]), attributeNames: attributeNames, transform: transform)
        }
        return (part(0..<(count - last)), part((count - last)..<count))
    }

    public var count: Int { files.count }

    public func source(of index: Int) -> String { files[index].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        Example(images: [transform.apply(try Image(contentsOf: files[index]), generator: generator)], labels: attributes[index])
    }
}

/// The parsed `list_attr_celeba.txt`.
public struct CelebAAttributeTable {
    public private(set) var names: [String] = []
    public private(set) var fileNames: [String] = []
    /// Row i holds fileNames[i]'s attributes, 1 or -1.
    public private(set) var values: [[Int8]] = []

    init(contentsOf url: URL) throws {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(url)
        } catch let error as DataError where error.kind == .unreadable {
            throw DataError(.unreadable, file: url.path, "missing attribute file (CelebA needs list_attr_celeba.txt beside the image folder)")
        }
        try self.init(parsing: bytes, file: url.path)
    }

    /// Parses the file's bytes; `file` names it in errors.
    public init(parsing bytes: [UInt8], file: String) throws {
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard lines.count >= 2, let declared = Int(lines[0].trimmingCharacters(in: .whitespaces)) else {
            throw DataError(.corrupt, file: file, "line 1 must be the number of images, line 2 the attribute names")
        }
        names = lines[1].split(separator: " ").map(String.init)
        guard !names.isEmpty else { throw DataError(.corrupt, file: file, "line 2 names no attributes") }
        for (offset, line) in lines.dropFirst(2).enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count == names.count + 1 else {
                throw DataError(.corrupt, file: file,
                                "line \(offset + 3) has \(fields.count - 1) values, expected \(names.count)")
            }
            var row = [Int8]()
            row.reserveCapacity(names.count)
            for field in fields.dropFirst() {
                guard field == "1" || field == "-1" else {
                    throw DataError(.corrupt, file: file, "line \(offset + 3): value '\(field)' is not 1 or -1")
                }
                row.append(field == "1" ? 1 : -1)
            }
            fileNames.append(String(fields[0]))
            values.append(row)
        }
        guard fileNames.count == declared else {
            throw DataError(.mismatch, file: file, "line 1 declares \(declared) images but \(fileNames.count) rows follow")
        }
    }
}
