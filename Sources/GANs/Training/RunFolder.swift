// The run folder a training process owns: a lock so no second process writes into it, a
// refusal to start a new run over an existing one, and writes that survive a power cut.
import Foundation

public struct RunFolderError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public final class RunFolder {
    public let url: URL
    private let lockDescriptor: Int32
    /// A new run in a folder where an earlier one stopped before its first checkpoint.
    public private(set) var startsOver = false

    /// The files and folders a run writes; one of them in `url` means a run is there.
    static let runFiles = ["config.json", "metrics.jsonl", "loss_curve.svg", "images", "checkpoints"]
    static let lockName = ".lock"

    /// Creates `url` if needed and locks it for this process (released when the process ends).
    /// A new run (`resume` false) is refused where an earlier run wrote a checkpoint; one
    /// that stopped before its first checkpoint left nothing to resume and is started over.
    public init(_ url: URL, resume: Bool, model: String) throws {
        self.url = url
        let fm = FileManager.default
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RunFolderError("cannot create the output folder \(url.path): \(error.localizedDescription)")
        }
        let lockPath = url.appendingPathComponent(Self.lockName).path
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunFolderError("cannot create \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Self.busy(url)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        lockDescriptor = fd
        if !resume, Self.holdsTraining(url) {
            close(fd)
            throw RunFolderError("\(url.path) already holds a run; continue it with `gan train \(model) --out \(url.path) --resume`, or choose another --out")
        }
        startsOver = !resume && fm.fileExists(atPath: url.appendingPathComponent("metrics.jsonl").path)
        for folder in [url, url.appendingPathComponent("images"), url.appendingPathComponent("checkpoints")] {
            Self.removeStaleTemporaries(in: folder)
        }
    }

    deinit { close(lockDescriptor) }

    /// Throws when another process holds the lock of the run in `url` (checked before reading
    /// the run for a resume, which would otherwise see a half-made run).
    public static func checkNotBusy(_ url: URL) throws {
        let fd = open(url.appendingPathComponent(lockName).path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { throw busy(url) }
        _ = flock(fd, LOCK_UN)
    }

    static func busy(_ url: URL) -> RunFolderError {
        let holder = (try? String(contentsOfFile: url.appendingPathComponent(lockName).path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return RunFolderError("another gan process\(holder.map { " (pid \($0))" } ?? "") is training in \(url.path); wait for it to end or choose another --out")
    }

    /// Whether `url` holds a run that can be resumed: a checkpoint (or a damaged one kept).
    static func holdsTraining(_ url: URL) -> Bool {
        let checkpoints = url.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
        return !Checkpoint.folders(in: checkpoints).isEmpty || names.contains { $0.hasPrefix("damaged-") }
    }

    /// Files, folders and links a killed process left half-written (checkpoints/.tmp-N-PID,
    /// .latest-PID, .config.json.tmp-PID, ...); only called with the run's lock held, so no
    /// live writer owns them.
    static func removeStaleTemporaries(in folder: URL) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") && (name.contains(".tmp-") || name.hasPrefix(".latest-") || name.hasPrefix(".old-")) {
            try? fm.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}

/// Writes that reach the disk before the call returns (fsync of the file, and of its folder
/// for the rename), so a power cut leaves the old version or the new one.
public enum DurableFile {
    public static func write(_ data: Data, to url: URL) throws {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temp)
            try sync(temp)
            guard rename(temp.path, url.path) == 0 else { throw posixError("rename") }
            try syncFolder(url.deletingLastPathComponent())
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw RunFolderError("cannot write \(url.path): \(describe(error))")
        }
    }

    /// fsync of a file's contents.
    public static func sync(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("open \(url.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("fsync \(url.path)") }
    }

    /// fsync of a folder, which makes the renames and creations in it durable.
    public static func syncFolder(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("open \(url.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("fsync \(url.path)") }
    }

    static func posixError(_ what: String) -> RunFolderError {
        RunFolderError("\(what): \(String(cString: strerror(errno)))")
    }

    /// The plain reason of a Foundation or POSIX error ("No space left on device"); our own
    /// errors say theirs.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
