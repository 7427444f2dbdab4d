// One error type for everything that reads data: it always names the file and the problem,
// so a user with a broken dataset knows which file to look at.

/// A problem with an input file or folder.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, in broad terms (for programmatic checks and tests).
    public enum Kind: String, Sendable {
        /// The file or folder does not exist or cannot be read.
        case unreadable
        /// The bytes are not valid for their format (corrupt, truncated, wrong magic).
        case corrupt
        /// The content is valid but inconsistent (counts, shapes, labels).
        case mismatch
        /// A folder holds no usable files.
        case empty
        /// A download failed or its checksum did not match.
        case download
        /// The data cannot be written.
        case unwritable
    }

    public let kind: Kind
    /// The file or folder concerned.
    public let file: String
    /// What is wrong with it.
    public let problem: String

    public init(_ kind: Kind, file: String, _ problem: String) {
        self.kind = kind
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
