import Foundation

/// The lines of an NDJSON file (FHIR Bulk Data's format), read a megabyte at a time, numbered from 1; empty lines are
/// passed over, and a last line without its newline still counts.
public enum NDJSONLines {
    public static func read(_ path: URL, _ body: (Int, ArraySlice<UInt8>) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path.path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let end = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                number += 1
                if end > start { try body(number, pending[start..<end]) }
                start = end + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { try body(number + 1, pending[...]) }
    }
}
