// A tiny HTTP/1.1 server on 127.0.0.1 for the download tests: serves byte arrays by path,
// optionally announcing a longer Content-Length than it sends (a dropped connection).
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
    }

    private let lock = NSLock()
    private var responses: [String: Response] = [:]
    private var requests: [String] = []
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
        let line = String(decoding: request, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        let path = parts.count > 1 ? String(parts[1]) : "/"
        lock.lock()
        requests.append(path)
        let response = responses[path] ?? Response(body: Array("not found".utf8), status: 404)
        lock.unlock()
        let header = "HTTP/1.1 \(response.status) \(response.status == 200 ? "OK" : "Not Found")\r\n"
            + "Content-Length: \(response.announcedLength ?? response.body.count)\r\n"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        guard sendAll(client, Array(header.utf8)) else { return }
        _ = sendAll(client, response.body)
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
