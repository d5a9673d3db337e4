import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Bytes over a plain TCP connection to 127.0.0.1, for input no HTTP client library would send (malformed request
/// lines, invalid percent-encodings, garbage, half requests). The blocking socket work runs on a thread of its own,
/// never on Swift's cooperative pool (on two cores that pool would otherwise starve the server under test).
enum RawHTTP {
    struct Answer: Sendable, CustomStringConvertible {
        /// The status of the first response line, nil if none came.
        var status: Int?
        var text: String
        /// The server closed the connection without a byte of answer.
        var closedSilently: Bool
        /// Nothing more came within the time limit and the connection stayed open: a hang.
        var timedOut: Bool
        var seconds: Double

        var isOperationOutcome: Bool {
            text.contains("\"resourceType\":\"OperationOutcome\"") || text.contains("\"resourceType\": \"OperationOutcome\"")
        }
        var description: String {
            "status \(status.map(String.init) ?? "-") closed \(closedSilently) timedOut \(timedOut) \(String(format: "%.2f", seconds)) s: "
                + String(text.prefix(300))
        }
    }

    /// Sends `bytes` and reads until the server closes the connection or `timeout` passes without it closing.
    static func exchange(port: Int, _ bytes: [UInt8], timeout: Double = 8) async -> Answer {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: blockingExchange(port: port, bytes, timeout: timeout))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    static func exchange(port: Int, _ text: String, timeout: Double = 8) async -> Answer {
        await exchange(port: port, Array(text.utf8), timeout: timeout)
    }

    /// An HTTP/1.1 request as text, `Connection: close`, with a correct Content-Length for `body`.
    static func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8], timeout: Double) -> Answer {
        let started = Date()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Answer(status: nil, text: "socket()", closedSilently: true, timedOut: false, seconds: 0) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            return Answer(status: nil, text: "connect() failed", closedSilently: true, timedOut: false, seconds: 0)
        }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        // A server that stops reading (a body over its limit) has answered already: do not wait long to send the rest.
        var sendWait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendWait, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may close early (a header too large): what it answered still counts
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var timedOut = false
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received += buffer[0..<n]
                if received.count > 8 << 20 { break }
                continue
            }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { timedOut = true }
            break
        }
        let text = String(decoding: received, as: UTF8.self)
        var status: Int?
        if text.hasPrefix("HTTP/1."), let line = text.split(separator: "\r\n").first {
            let parts = line.split(separator: " ")
            if parts.count >= 2 { status = Int(parts[1]) }
        }
        return Answer(
            status: status, text: text, closedSilently: received.isEmpty && !timedOut, timedOut: timedOut,
            seconds: Date().timeIntervalSince(started))
    }
}
