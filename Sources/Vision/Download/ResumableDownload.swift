// One HTTP download into a partial file that survives failures. A partial file already
// there is continued with a Range request; a server that answers 200 instead of 206 sends
// the whole file again, so the partial file is truncated and rewritten from the start.
// Bytes go to the disk as they arrive, so a cut connection keeps everything received.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class ResumableDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let source: URL
    private let part: URL
    private let progress: DownloadProgress
    private let finished = DispatchSemaphore(value: 0)
    // Touched only on the session's serial delegate queue, then read after `finished`.
    private var output: DiskWrite.Output?
    private var offset: Int64 = 0
    private var total: Int64?
    private var failure: Error?
    private var alreadyComplete = false

    /// Downloads `source` into `part`, continuing what `part` holds.
    static func run(_ source: URL, into part: URL, timeout: TimeInterval, progress: DownloadProgress) throws {
        let first = ResumableDownload(source: source, part: part, progress: progress)
        do {
            try first.run(timeout: timeout)
        } catch RestartNeeded.rangeNotSatisfiable {
            // The partial file is longer than the file on the server: it is not a prefix of it.
            try? FileManager.default.removeItem(at: part)
            try ResumableDownload(source: source, part: part, progress: progress).run(timeout: timeout)
        }
    }

    private enum RestartNeeded: Error { case rangeNotSatisfiable }

    private init(source: URL, part: URL, progress: DownloadProgress) {
        self.source = source
        self.part = part
        self.progress = progress
    }

    private func run(timeout: TimeInterval) throws {
        let existing = (try? FileManager.default.attributesOfItem(atPath: part.path)[.size] as? NSNumber)?.int64Value ?? 0
        var request = URLRequest(url: source, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        offset = existing
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        finished.wait()
        session.finishTasksAndInvalidate()
        if let failure { throw failure }
        if alreadyComplete { return }
        try output?.finish()
        progress.finish(offset + (output?.written ?? 0))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        do {
            try accept(response)
            completionHandler(alreadyComplete ? .cancel : .allow)
        } catch {
            failure = error
            completionHandler(.cancel)
        }
    }

    /// Opens the partial file as the status asks: append for 206, start over for 200.
    private func accept(_ response: URLResponse) throws {
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 200
        let range = http?.value(forHTTPHeaderField: "Content-Range").flatMap(ContentRange.init)
        switch status {
        case 206:
            guard let range, range.first == offset else {
                throw DataError(.download, file: source.absoluteString, "the server resumed at a different byte than asked (\(offset)); delete \(part.path) and run the same command again")
            }
            total = range.total
            output = try DiskWrite.Output(path: part.path, append: true)
        case 200:
            offset = 0
            total = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
            output = try DiskWrite.Output(path: part.path, append: false)
        case 416 where offset > 0:
            guard let complete = range?.total, complete == offset else { throw RestartNeeded.rangeNotSatisfiable }
            alreadyComplete = true
            return
        default:
            let reason = HTTPURLResponse.localizedString(forStatusCode: status)
            throw DataError(.download, file: source.absoluteString, "the server answered HTTP \(status) (\(reason)) instead of the file")
        }
        progress.start(source.lastPathComponent, offset: offset, total: total)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let output else { return }
        do {
            try data.withUnsafeBytes { try output.write($0) }
            progress.update(offset + output.written)
        } catch {
            failure = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        defer { finished.signal() }
        guard failure == nil, !alreadyComplete else { return }
        let received = offset + (output?.written ?? 0)
        if let error {
            failure = received > 0 || output != nil ? cut(received, error.localizedDescription)
                : DataError(.download, file: source.absoluteString, "cannot download: \(error.localizedDescription)")
        } else if let total, received != total {
            failure = cut(received, "the server sent \(received) of \(total) bytes")
        }
    }

    private func cut(_ received: Int64, _ detail: String) -> DataError {
        let of = total.map { " of \($0)" } ?? ""
        return DataError(.download, file: source.absoluteString,
                         "the connection was cut after \(received)\(of) bytes (\(detail)); the partial download is kept in \(part.path) and running the same command again resumes it")
    }
}

/// The "bytes FIRST-LAST/TOTAL" or "bytes */TOTAL" value of a Content-Range header.
struct ContentRange {
    let first: Int64?
    let total: Int64?

    init?(_ header: String) {
        guard header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        first = parts[0] == "*" ? nil : parts[0].split(separator: "-").first.flatMap { Int64($0) }
        total = Int64(parts[1])
    }
}
