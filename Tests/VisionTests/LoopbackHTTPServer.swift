// A tiny HTTP/1.1 server on 127.0.0.1 for the download tests: serves byte arrays by path,
// optionally announcing a longer Content-Length than it sends (a dropped connection), and
// answering "Range: bytes=N-" with 206 when the response honours ranges.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class LoopbackHTTPServer: @unchecked Sendable {
    struct Response {
        var body: [UInt8]
        /// The Content-Length to announce; the body's length when nil.
        var announcedLength: Int?
        var status = 200
        /// Whether a "Range: bytes=N-" request gets 206 and the bytes from N (else 200, whole).
        var honoursRange = false
        /// With a range, the bytes to send before cutting the connection (nil: all).
        var cutAfter: Int?
    }

    private let lock = NSLock()
    private var responses: [String: Response] = [:]
    private var requests: [String] = []
    private var ranges: [String?] = []
    private let listener: Int32
    private let stopped = DispatchSemaphore(value: 0)
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0  // any free port
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    func set(_ path: String, _ response: Response) {
        lock.lock(); responses[path] = response; lock.unlock()
    }

    /// The Range header of each request so far (nil where there was none).
    var requestedRanges: [String?] { lock.lock(); defer { lock.unlock() }; return ranges }

    /// The paths requested so far.
    var requestedPaths: [String] { lock.lock(); defer { lock.unlock() }; return requests }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        stopped.wait()
    }

    private func serve() {
        defer { stopped.signal() }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var request = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.contains(13) || !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            request += chunk[0..<n]
        }
        let lines = String(decoding: request, as: UTF8.self).split(separator: "\r\n")
        let parts = (lines.first ?? "").split(separator: " ")
        let path = parts.count > 1 ? String(parts[1]) : "/"
        let range = lines.first { $0.lowercased().hasPrefix("range:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        requests.append(path)
        ranges.append(range)
        let response = responses[path] ?? Response(body: Array("not found".utf8), status: 404)
        lock.unlock()
        var status = response.status, body = response.body[...], extra = ""
        var length = response.announcedLength ?? response.body.count
        if response.honoursRange, status == 200, let range, range.hasPrefix("bytes="), range.hasSuffix("-"),
           let first = Int(range.dropFirst(6).dropLast()) {
            if first >= response.body.count {
                status = 416
                body = []
                length = 0
                extra = "Content-Range: bytes */\(response.body.count)\r\n"
            } else {
                status = 206
                body = response.body[first...]
                length = body.count
                extra = "Content-Range: bytes \(first)-\(response.body.count - 1)/\(response.body.count)\r\n"
            }
        }
        if let cut = response.cutAfter { body = body.prefix(cut) }
        let reason = [200: "OK", 206: "Partial Content", 404: "Not Found", 416: "Range Not Satisfiable"][status] ?? "Error"
        let header = "HTTP/1.1 \(status) \(reason)\r\n" + extra
            + "Content-Length: \(length)\r\n"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        guard sendAll(client, Array(header.utf8)) else { return }
        _ = sendAll(client, Array(body))
    }

    private func sendAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that hangs up must not kill the test process with SIGPIPE.
            let n = bytes.withUnsafeBytes { send(client, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
