import Foundation
import Logging
import Synchronization
import Words

#if canImport(Glibc)
    import Glibc
#endif

/// The node's checkpoints of the audit chain: signed with the node's own key at start, at least every minute while
/// the chain grows, every 1,000 entries and at shutdown, and appended to the node's checkpoint file (JSON lines,
/// opened for appending only, synced to disk). `current()` signs the head as it is at that moment, for
/// `GET /AuditEvent/$checkpoint`.
///
/// The file is the node's, not the database's: whoever can rewrite the database cannot rewrite what was signed
/// before (keep the file on other storage than the database, or copy it off the machine).
public final class AuditCheckpoints: Sendable {
    public let node: String
    public let key: AuditSigningKey
    /// Where checkpoints are appended; nil: only `current()` (tests, the embedded demo without a file).
    public let file: String?
    public let interval: Duration
    public let everyEntries: Int64
    let storage: any PlatformStorage
    let logger: Logger

    private struct State {
        var written: Int64 = -1
        var timer: Task<Void, Never>?
        var problem: Phrase?
    }

    private let state = Mutex(State())

    public init(
        storage: any PlatformStorage, key: AuditSigningKey = AuditSigningKey(), node: String = "sundhedscloud",
        file: String? = nil, interval: Duration = .seconds(60), everyEntries: Int64 = 1000,
        logger: Logger = Logger(label: "sundhedscloud.audit")
    ) {
        self.storage = storage
        self.key = key
        self.node = node
        self.file = file
        self.interval = interval
        self.everyEntries = everyEntries
        self.logger = logger
    }

    /// Checks that the file can be appended to (a start-up error otherwise), writes a first checkpoint and starts
    /// the periodic ones.
    public func start() async throws(AuditCheckpointError) {
        if let file { try Self.checkWritable(file) }
        await checkpointHead()
        let interval = self.interval
        let timer = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self else { return }
                await self.checkpointHead()
            }
        }
        state.withLock { $0.timer = timer }
    }

    /// Stops the periodic checkpoints and writes the head a last time.
    public func stop() async {
        let timer = state.withLock { state in
            defer { state.timer = nil }
            return state.timer
        }
        guard let timer else { return }
        timer.cancel()
        await checkpointHead()
    }

    /// The head as it is now, signed now.
    public func current() async throws -> AuditCheckpoint {
        let head = try await storage.auditHead()
        return AuditCheckpoint.sign(sequence: head.sequence, hash: head.hash, node: node, key: key)
    }

    /// To be called with each entry this node appended (the gateway does): every `everyEntries` entries of the
    /// chain, a checkpoint.
    public func appended(_ entry: AuditEntry) {
        let due = state.withLock { state in
            guard state.written >= 0, entry.sequence - state.written >= everyEntries else { return false }
            state.written = entry.sequence
            return true
        }
        if due { write(AuditCheckpoint.sign(sequence: entry.sequence, hash: entry.hash, node: node, key: key)) }
    }

    /// The last sequence written to the file, and the last problem writing it (for `/health`, in Danish).
    public var status: (written: Int64?, problem: String?) {
        let (written, problem) = state.withLock { ($0.written >= 0 ? $0.written : nil, $0.problem) }
        return (written, problem.map { Catalog.danish.text($0) })
    }

    /// Writes a checkpoint of the head unless the file already has it.
    func checkpointHead() async {
        do {
            let head = try await storage.auditHead()
            let fresh = state.withLock { state in
                guard head.sequence != state.written else { return false }
                state.written = head.sequence
                return true
            }
            if fresh { write(AuditCheckpoint.sign(sequence: head.sequence, hash: head.hash, node: node, key: key)) }
        } catch {
            let inner: Phrase.Argument = (error as? any Phrased).map { .phrase($0.phrase) } ?? .text("\(error)")
            state.withLock { $0.problem = Phrase("audit-check.head-unreadable", ["error": inner]) }
            logger.error("Audit-checkpoint: adgangsloggens hoved kan ikke læses: \(error)")
        }
    }

    private func write(_ checkpoint: AuditCheckpoint) {
        guard let file else { return }
        // One write per line with O_APPEND: lines from several writers never interleave.
        let problem: Phrase? = state.withLock { state in
            do throws(AuditCheckpointError) {
                try Self.append(Data((checkpoint.line + "\n").utf8), to: file)
                state.problem = nil
            } catch {
                state.problem = error.phrase
            }
            return state.problem
        }
        if let problem { logger.error("Audit-checkpoint kan ikke skrives: \(problem.danish)") }
    }

    static func checkWritable(_ path: String) throws(AuditCheckpointError) {
        try append(Data(), to: path)
    }

    static func append(_ data: Data, to path: String) throws(AuditCheckpointError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AuditCheckpointError(
                file: path, Phrase("audit-check.file-unopenable", ["error": .text(String(cString: strerror(errno)))]))
        }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { bytes in
            bytes.isEmpty ? 0 : Glibc.write(descriptor, bytes.baseAddress, bytes.count)
        }
        guard written == data.count else {
            throw AuditCheckpointError(
                file: path, Phrase("audit-check.file-unwritable", ["error": .text(String(cString: strerror(errno)))]))
        }
        if !data.isEmpty, fsync(descriptor) != 0 {
            throw AuditCheckpointError(
                file: path, Phrase("audit-check.file-unsaved", ["error": .text(String(cString: strerror(errno)))]))
        }
    }
}
