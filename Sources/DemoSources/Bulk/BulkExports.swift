import FHIR
import Foundation
import Synchronization

/// The Bulk Data export jobs of one source (FHIR Bulk Data Access v2): each runs in the background and writes its
/// NDJSON files to a folder of its own (at most `linesPerFile` resources a file), which the status URL lists once it is
/// done and the file URLs stream. A cancelled job (`DELETE`) stops at once and its files are removed; finished jobs
/// are kept an hour. At most `maxRunning` run at once and `maxKept` are kept; beyond that a kick-off is refused with
/// 429, as a busy server would.
package final class BulkExports: Sendable {
    /// What the kick-off asked for.
    package struct Request: Sendable {
        package var types: [String]
        package var since: Date?
        /// The group's patients (`Group/[id]/$export`); nil: every patient.
        package var patients: Set<String>?
        /// `Patient/$export` and `Group/[id]/$export`: only resources in a patient's compartment.
        package var patientsOnly: Bool
        /// The kick-off URL, as the manifest repeats it.
        package var url: String
    }

    /// A finished file.
    package struct Output: Sendable, Equatable {
        package let type: String
        package let name: String
        package let count: Int
    }

    package enum Status: Sendable, Equatable {
        case running(written: Int, estimated: Int)
        case done(transactionTime: Date, request: String, outputs: [Output])
        case failed(String)
    }

    struct Job {
        let request: Request
        let folder: URL
        let transactionTime: Date
        var status: Status
        let work: Work
        var finished: Date?
    }

    /// A job's writer: a thread of its own (an export of millions of resources must not hold one of the few threads
    /// Swift's tasks share), told to stop by a flag it looks at every 256 resources.
    final class Work: Sendable {
        private let state = Mutex<(cancelled: Bool, ended: Bool)>((false, false))
        private let ended = DispatchSemaphore(value: 0)

        var isCancelled: Bool { state.withLock { $0.cancelled } }
        func cancel() { state.withLock { $0.cancelled = true } }

        func run(_ body: @escaping @Sendable () -> Void) {
            let thread = Thread { [self] in
                body()
                state.withLock { $0.ended = true }
                ended.signal()
            }
            thread.name = "bulk-export"
            thread.start()
        }

        /// Until the writer has stopped (without holding a task's thread while it finishes).
        func wait() async {
            if state.withLock({ $0.ended }) { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { [self] in
                    ended.wait()
                    ended.signal()
                    continuation.resume()
                }
            }
        }
    }

    static let maxRunning = 4
    static let maxKept = 20
    static let lifetime: TimeInterval = 3600
    let linesPerFile: Int
    package let root: URL
    private let jobs = Mutex<[String: Job]>([:])

    package init(linesPerFile: Int = 100_000) {
        self.linesPerFile = linesPerFile
        self.root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sundhedscloud-bulk-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    /// Starts an export of `source`; its id, or 429 when too many run or are kept.
    package func start(_ request: Request, from source: some BulkSource, now: Date = Date()) throws(FHIRError) -> String {
        purge(now: now)
        let id = UUID().uuidString.lowercased()
        let folder = root.appendingPathComponent(id)
        let estimated = request.types.reduce(0) { $0 + source.estimatedCount(of: $1) }
        let work = Work()
        let admitted: Bool = jobs.withLock { jobs in
            let running = jobs.values.filter { if case .running = $0.status { return true } else { return false } }
            guard running.count < Self.maxRunning, jobs.count < Self.maxKept else { return false }
            jobs[id] = Job(
                request: request, folder: folder, transactionTime: now,
                status: .running(written: 0, estimated: estimated), work: work)
            return true
        }
        guard admitted else {
            throw FHIRError(status: 429, code: "throttled", "For mange eksporter i gang eller gemt; prøv igen senere")
        }
        work.run { [self] in
            let status: Status
            do {
                let outputs = try write(request, from: source, to: folder, job: id, work: work)
                status = .done(transactionTime: now, request: request.url, outputs: outputs)
            } catch is CancellationError {
                return
            } catch {
                try? FileManager.default.removeItem(at: folder)
                status = .failed("Eksporten kunne ikke skrives: \(error)")
            }
            jobs.withLock { jobs in
                jobs[id]?.status = status
                jobs[id]?.finished = Date()
            }
        }
        return id
    }

    /// Writes every type's resources to files of at most `linesPerFile` lines; checks for cancellation as it goes.
    private func write(
        _ request: Request, from source: some BulkSource, to folder: URL, job id: String, work: Work
    ) throws -> [Output] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var outputs: [Output] = []
        var written = 0
        for type in request.types {
            var file: NDJSONFile?
            var part = 0
            func close() throws {
                guard let current = file else { return }
                try current.close()
                outputs.append(Output(type: type, name: current.name, count: current.lines))
                file = nil
            }
            try source.forEach(type, since: request.since, patients: request.patients, patientsOnly: request.patientsOnly) {
                line in
                if file == nil {
                    part += 1
                    file = try NDJSONFile(folder: folder, name: "\(type)-\(part).ndjson")
                }
                try file?.append(line)
                written += 1
                if written % 256 == 0 {
                    if work.isCancelled { throw CancellationError() }
                    let now = written
                    jobs.withLock { jobs in
                        if case .running(_, let estimated) = jobs[id]?.status {
                            jobs[id]?.status = .running(written: now, estimated: estimated)
                        }
                    }
                }
                if let current = file, current.lines >= linesPerFile { try close() }
            }
            try close()
        }
        if work.isCancelled { throw CancellationError() }
        return outputs
    }

    package func status(_ id: String, now: Date = Date()) -> Status? {
        purge(now: now)
        return jobs.withLock { $0[id]?.status }
    }

    /// A finished job's file, by the name the manifest gives.
    package func file(job id: String, name: String) -> URL? {
        jobs.withLock { jobs -> URL? in
            guard let job = jobs[id], case .done(_, _, let outputs) = job.status, outputs.contains(where: { $0.name == name })
            else { return nil }
            return job.folder.appendingPathComponent(name)
        }
    }

    /// Cancels a running job or deletes a finished one, with its files; false when there is no such job.
    @discardableResult
    package func cancel(_ id: String) -> Bool {
        guard let job = jobs.withLock({ $0.removeValue(forKey: id) }) else { return false }
        job.work.cancel()
        Task.detached {
            // A running job stops at its next check; its folder goes once it has.
            await job.work.wait()
            try? FileManager.default.removeItem(at: job.folder)
        }
        return true
    }

    /// Every job cancelled, every file removed (the source stops).
    package func shutdown() async {
        let all = jobs.withLock { jobs -> [Job] in
            defer { jobs = [:] }
            return Array(jobs.values)
        }
        for job in all { job.work.cancel() }
        for job in all { await job.work.wait() }
        try? FileManager.default.removeItem(at: root)
    }

    private func purge(now: Date) {
        let expired = jobs.withLock { jobs -> [String] in
            jobs.filter { $0.value.finished.map { now.timeIntervalSince($0) > Self.lifetime } ?? false }.map(\.key)
        }
        for id in expired { cancel(id) }
    }
}

/// An NDJSON file being written, through a buffer of about a megabyte.
final class NDJSONFile {
    let name: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private(set) var lines = 0

    init(folder: URL, name: String) throws {
        self.name = name
        let path = folder.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw FHIRError(status: 500, code: "exception", "Filen \(name) kan ikke oprettes")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(1 << 20)
    }

    func append(_ line: [UInt8]) throws {
        buffer.append(contentsOf: line)
        buffer.append(UInt8(ascii: "\n"))
        lines += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}
