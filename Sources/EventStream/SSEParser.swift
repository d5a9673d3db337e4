/// Splits a server-sent-events byte stream into events (`id`, `event`, `data` fields; comments and `retry` are
/// read and ignored). Handles LF and CRLF line ends and events split across chunks.
public struct SSEParser: Sendable {
    public struct Event: Sendable, Equatable {
        public var id: String?
        public var event: String
        public var data: String
    }

    private var line: [UInt8] = []
    private var id: String?
    private var event = ""
    private var data: [String] = []

    public init() {}

    /// Feeds bytes; returns the events completed by them.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var done: [Event] = []
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            // Whole runs between line ends at once, not byte by byte.
            var start = buffer.startIndex
            while let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                line.append(contentsOf: buffer[start..<end])
                endLine(&done)
                start = end + 1
            }
            line.append(contentsOf: buffer[start...])
        }
        if contiguous == nil {
            for byte in bytes {
                if byte == UInt8(ascii: "\n") { endLine(&done) } else { line.append(byte) }
            }
        }
        return done
    }

    private mutating func endLine(_ done: inout [Event]) {
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if let event = finishLine() { done.append(event) }
        line.removeAll(keepingCapacity: true)
    }

    private mutating func finishLine() -> Event? {
        if line.isEmpty {
            defer {
                id = nil
                event = ""
                data = []
            }
            guard !data.isEmpty || !event.isEmpty else { return nil }
            return Event(id: id, event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n"))
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "id": id = String(value)
        case "event": event = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }
}
