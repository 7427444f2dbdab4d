// Downloading MNIST for users who are online. Each file is fetched into a temporary name in
// the target folder, verified (it must inflate to IDX data with the known SHA-256), and
// only then renamed to its final name; a failed or bad download leaves nothing behind.
// The checksums are of the uncompressed IDX contents, which every mirror shares even
// though their .gz bytes differ.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches the four MNIST files from mirrors into a folder.
public struct MNISTDownloader: Sendable {
    /// The usual public mirrors, tried in order.
    public static let defaultMirrors: [URL] = [
        URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
        URL(string: "https://storage.googleapis.com/cvdf-datasets/mnist/")!,
    ]

    /// SHA-256 of each file's uncompressed IDX content, keyed by the base name.
    public static let contentSHA256: [String: String] = [
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ]

    public var mirrors: [URL]
    /// Seconds before a request is given up.
    public var timeout: TimeInterval

    public init(mirrors: [URL] = MNISTDownloader.defaultMirrors, timeout: TimeInterval = 120) {
        self.mirrors = mirrors
        self.timeout = timeout
    }

    /// Downloads whichever of the four files are missing or fail verification into
    /// `directory` (created if needed) and returns their final paths.
    @discardableResult
    public func download(into directory: URL) async throws -> [URL] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unwritable, file: directory.path, "cannot create folder: \(error.localizedDescription)")
        }
        var written = [URL]()
        for name in MNISTDownloader.contentSHA256.keys.sorted() {
            let destination = directory.appendingPathComponent(name + ".gz")
            if (try? verify(fileAt: destination, name: name)) != nil {
                written.append(destination)
                continue
            }
            try await fetch(name, to: destination)
            written.append(destination)
        }
        return written
    }

    /// Throws unless the gzip file at `url` inflates to the expected content of `name`.
    public func verify(fileAt url: URL, name: String) throws {
        let bytes = try FileIO.read(url)
        let content = Gzip.isGzip(bytes) ? try Gzip.inflate(bytes, file: url.path) : bytes
        let digest = sha256Hex(content)
        guard let expected = MNISTDownloader.contentSHA256[name] else {
            throw DataError(.download, file: url.path, "unknown MNIST file name \(name)")
        }
        guard digest == expected else {
            throw DataError(.download, file: url.path, "checksum mismatch: SHA-256 of the content is \(digest), expected \(expected)")
        }
    }

    private func fetch(_ name: String, to destination: URL) async throws {
        var reasons = [String]()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        for mirror in mirrors {
            let source = mirror.appendingPathComponent(name + ".gz")
            let temp = FileIO.temporarySibling(of: destination)
            do {
                let (data, response) = try await session.data(from: source)
                if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                    throw DataError(.download, file: source.absoluteString, "HTTP status \(http.statusCode)")
                }
                if let http = response as? HTTPURLResponse, let declared = http.value(forHTTPHeaderField: "Content-Length"),
                   let length = Int(declared), length != data.count {
                    throw DataError(.download, file: source.absoluteString, "truncated: \(data.count) of \(length) bytes")
                }
                do {
                    try data.write(to: temp)
                } catch {
                    throw DataError(.unwritable, file: temp.path, "cannot write: \(error.localizedDescription)")
                }
                try verify(fileAt: temp, name: name)
                try FileIO.moveIntoPlace(temp, destination)
                return
            } catch let error as DataError {
                try? FileManager.default.removeItem(at: temp)
                reasons.append("\(source.absoluteString): \(error.problem)")
            } catch {
                try? FileManager.default.removeItem(at: temp)
                reasons.append("\(source.absoluteString): \(error.localizedDescription)")
            }
        }
        throw DataError(.download, file: destination.path, "download failed from every mirror: \(reasons.joined(separator: "; "))")
    }
}
