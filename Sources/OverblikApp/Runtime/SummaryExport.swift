import FHIR
import Foundation
import Words

/// Where `E` puts a patient's summary: a file of its own in `$OVERBLIK_EXPORT_DIR` (else the home directory),
/// named after the patient and the minute (`patientresume-250947-9989-20261204-1741.json`), readable by the user
/// only (it is health data). An existing file is never overwritten: a second export the same minute gets `-2`.
enum SummaryExport {
    static func write(
        _ data: Data, cpr: CPRNumber, language: Language, now: Date = Date(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        let directory =
            environment["OVERBLIK_EXPORT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmm"
        let stem = "\(language == .da ? "patientresume" : "patient-summary")-\(cpr.formatted)-\(formatter.string(from: now))"
        for attempt in 1...100 {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(
                stem + (attempt == 1 ? "" : "-\(attempt)") + ".json"
            ).path
            // O_EXCL: created here, now, or not at all (no overwriting, no following a planted link).
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            defer { close(fd) }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                    }
                    offset += written
                }
            }
            return path
        }
        throw POSIXError(.EEXIST)
    }
}
