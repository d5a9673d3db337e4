import FHIR
import Foundation
import GRDB
import Platform
import TestSupport
import Testing

extension GatewayTests {
    /// Signed checkpoints of the audit chain: whoever can rewrite the database (triggers dropped) can cut the log's
    /// tail or rewrite it with fresh hashes so the chain itself still holds; what the node signed before, kept in
    /// its own file or as copies of `GET /AuditEvent/$checkpoint`, shows it.
    @Suite(.timeLimit(.minutes(3))) struct Checkpoints {
        let brunoAtHospital = "/sources/hospital/fhir/Patient/\(GW.brunoHospital)"

        @Test func aCutTailAndARewrittenLogAreFoundByTheCheckpoints() async throws {
            try await GatewayHarness.with { h in
                let keyFile = h.directory.appendingPathComponent("node-key.pem").path
                try Data(h.gateway.checkpoints.key.pemRepresentation.utf8).write(to: URL(fileURLWithPath: keyFile))
                for user in ["borger-bruno", "akutlaege", "logopfoelgning"] {
                    _ = try await h.get(brunoAtHospital, as: user)
                    _ = try await h.get("/sources/gp/fhir/Condition?patient=\(GW.brunoGP)", as: user)
                }
                let entries = try await h.auditEntries()
                #expect(entries.count == 6)

                // Anyone may ask for the head, signed now; no token needed, and nothing about whom it concerns.
                let answer = try await h.send("/AuditEvent/$checkpoint")
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.headers["Content-Type"].first?.hasPrefix("application/json") == true)
                let checkpoint = try AuditCheckpoint(json: try #require(answer.json))
                #expect(checkpoint.sequence == 6)
                #expect(checkpoint.hash == entries.last?.hash)
                #expect(checkpoint.node == "test-node")
                #expect(checkpoint.signatureHolds)
                #expect(checkpoint.key == h.gateway.checkpoints.key.publicKeyText)
                #expect(!answer.text.contains(GW.bruno))
                // One JSON line, newline and all: answers appended to a file as they come are a checkpoint file.
                #expect(answer.text.hasSuffix("}\n") && answer.text.filter { $0 == "\n" }.count == 1)
                let copies = h.directory.appendingPathComponent("copies.jsonl").path
                try Data((answer.text + answer.text).utf8).write(to: URL(fileURLWithPath: copies))
                #expect(try AuditCheckpoint.parseLines(Data(contentsOf: URL(fileURLWithPath: copies))).count == 2)

                // The node's own file holds the checkpoint it wrote at start (the empty log).
                let written = try AuditCheckpoint.parseLines(try Data(contentsOf: URL(fileURLWithPath: h.checkpointFile)))
                #expect(written.first?.sequence == 0)
                #expect(written.first?.hash == AuditEntry.genesis)
                #expect(written.allSatisfy { $0.signatureHolds })

                // The operator sees where they go, the last one written and the key, in /health.
                let health = try await h.send("/health")
                let audit = health.json?["auditCheckpoints"]
                #expect(audit?["file"]?.stringValue == h.checkpointFile, "\(health.text)")
                #expect(audit?["lastSequence"]?.numberValue == 0, "\(health.text)")
                #expect(audit?["key"]?.stringValue == h.gateway.checkpoints.key.publicKeyText)
                #expect(audit?["error"] == nil)

                let intact = try await verify(h, checkpoints: [copies, h.checkpointFile], trusted: keyFile)
                #expect(intact.status == 0, "\(intact.output)")
                #expect(intact.output.contains("Adgangsloggen er hel: 6 poster"), "\(intact.output)")
                #expect(intact.output.contains("checkpoints holder (seneste post 6)"), "\(intact.output)")

                // The last three entries deleted by someone who can write the database.
                let database = try DatabaseQueue(path: h.storage.path)
                try await database.write { db in
                    try db.execute(sql: "DROP TRIGGER audit_no_delete")
                    try db.execute(sql: "DELETE FROM audit WHERE sequence > 3")
                }
                let cutAlone = try await verify(h, checkpoints: [], trusted: nil)
                #expect(cutAlone.status == 0, "the chain alone cannot tell: \(cutAlone.output)")
                let cut = try await verify(h, checkpoints: [copies], trusted: keyFile)
                #expect(cut.status == 1, "\(cut.output)")
                #expect(
                    cut.output.contains("kæden ender ved post 3, men et checkpoint har set post 6: 3 poster er fjernet"),
                    "\(cut.output)")

                // Three new accesses fill the numbers again with fresh hashes: the chain holds, the checkpoint does not.
                for user in ["egen-laege", "akutlaege", "borger-bruno"] {
                    _ = try await h.get("/sources/gp/fhir/Condition?patient=\(GW.brunoGP)", as: user)
                }
                #expect(try await h.auditEntries().count == 6)
                let rewritten = try await verify(h, checkpoints: [copies], trusted: keyFile)
                #expect(rewritten.status == 1, "\(rewritten.output)")
                #expect(rewritten.output.contains("kæden indeholder ikke post 6"), "\(rewritten.output)")
                #expect(rewritten.output.contains("loggen er skrevet om"), "\(rewritten.output)")
                try database.close()
            }
        }

        @Test func aForgedOrAlteredCheckpointIsRefused() async throws {
            try await GatewayHarness.with { h in
                let keyFile = h.directory.appendingPathComponent("node-key.pem").path
                try Data(h.gateway.checkpoints.key.pemRepresentation.utf8).write(to: URL(fileURLWithPath: keyFile))
                _ = try await h.get(brunoAtHospital, as: "borger-bruno")
                let genuine = try AuditCheckpoint(json: try #require(try await h.send("/AuditEvent/$checkpoint").json))
                let head = try #require(try await h.auditEntries().last)

                // Signed with a key that is not the node's: its signature holds, but the key is not trusted.
                let stranger = AuditCheckpoint.sign(
                    sequence: head.sequence, hash: head.hash, node: "test-node", key: AuditSigningKey())
                #expect(stranger.signatureHolds)
                let forged = try await verify(h, lines: [stranger.line], trusted: keyFile)
                #expect(forged.status == 1, "\(forged.output)")
                #expect(forged.output.contains("er underskrevet med en nøgle der ikke er nodens"), "\(forged.output)")

                // The node's checkpoint with its sequence moved back (to hide a later cut): the signature breaks.
                var altered = genuine
                altered.sequence = 0
                altered.hash = AuditEntry.genesis
                #expect(!altered.signatureHolds)
                let moved = try await verify(h, lines: [altered.line], trusted: keyFile)
                #expect(moved.status == 1, "\(moved.output)")
                #expect(moved.output.contains("underskriften på checkpointet fra test-node"), "\(moved.output)")

                // A line that is not a checkpoint is named, not skipped.
                let garbage = try await verify(h, lines: [genuine.line, "{\"checkpoint\": 1}"], trusted: keyFile)
                #expect(garbage.status != 0, "\(garbage.output)")
                #expect(garbage.output.contains("linje 2: er ikke et checkpoint"), "\(garbage.output)")
            }
        }

        @Test func theNodeSignsEveryThousandEntriesEveryMinuteAndAtShutdown() async throws {
            let directory = PlatformFixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let storage = try SQLiteStorage(path: directory.appendingPathComponent("platform.sqlite").path)
            try await storage.migrate()
            let file = directory.appendingPathComponent("nested/checkpoints.jsonl").path
            // Scaled down: every 3 entries (and no period within the test).
            let counting = AuditCheckpoints(
                storage: storage, node: "n1", file: file, interval: .seconds(3600), everyEntries: 3, logger: GW.quietLogger)
            try await counting.start()
            @Sendable func access(_ checkpoints: AuditCheckpoints) async throws {
                let entry = AuditEntry(
                    identity: Identity(id: "akutlaege", name: "Akut Læge", role: .edDoctor), patientCPR: GW.bruno,
                    sourceID: "hospital", resourceTypes: ["Patient"], action: "read", purpose: "TREAT",
                    outcome: "success", reason: nil, emergency: false, client: nil)
                checkpoints.appended(try await storage.appendAudit(entry))
            }
            func lines(_ path: String) throws -> [Int64] {
                try AuditCheckpoint.parseLines(try Data(contentsOf: URL(fileURLWithPath: path))).map(\.sequence)
            }
            #expect(try lines(file) == [0])
            for _ in 1...7 { try await access(counting) }
            #expect(try lines(file) == [0, 3, 6])
            await counting.stop()
            #expect(try lines(file) == [0, 3, 6, 7])

            // Scaled down: every 200 ms while the chain grows, nothing while it does not.
            let periodic = directory.appendingPathComponent("periodic.jsonl").path
            let timed = AuditCheckpoints(
                storage: storage, node: "n1", file: periodic, interval: .milliseconds(200), logger: GW.quietLogger)
            try await timed.start()
            #expect(try lines(periodic) == [7])
            try await access(timed)
            let deadline = ContinuousClock.now + .seconds(20)
            while try lines(periodic).last != 8, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try lines(periodic) == [7, 8])
            try await Task.sleep(for: .milliseconds(600))
            #expect(try lines(periodic) == [7, 8])
            await timed.stop()
            #expect(try lines(periodic) == [7, 8])

            let all =
                try AuditCheckpoint.parseLines(try Data(contentsOf: URL(fileURLWithPath: file)))
                + AuditCheckpoint.parseLines(try Data(contentsOf: URL(fileURLWithPath: periodic)))
            let report = AuditCheckpointCheck.verify(
                chain: try await storage.auditChain(), checkpoints: all,
                trustedKeys: [counting.key.publicKeyText, timed.key.publicKeyText])
            #expect(report.problem == nil)
            #expect(report.latest == 8)
        }

        @Test func theKeyFileIsPrivateAndReadsBack() throws {
            let directory = PlatformFixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("keys/audit.pem").path
            let made = try AuditSigningKey.loadOrCreate(path: path)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(try AuditSigningKey.loadOrCreate(path: path).publicKeyText == made.publicKeyText)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
            // A file that is not an Ed25519 key is named, never replaced.
            try Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8).write(
                to: URL(fileURLWithPath: path))
            let error = #expect(throws: AuditCheckpointError.self) { try AuditSigningKey.loadOrCreate(path: path) }
            #expect(error?.description.contains(path) == true)
            #expect(error?.description.contains("er ikke en Ed25519-nøgle") == true)
        }

        /// The key file as OpenSSL reads it (RFC 8410), when OpenSSL is installed.
        @Test func openSSLReadsTheKeyFile() throws {
            guard let openssl = ["/usr/bin/openssl", "/bin/openssl"].first(where: FileManager.default.fileExists) else {
                return
            }
            let directory = PlatformFixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("audit.pem").path
            let key = try AuditSigningKey.loadOrCreate(path: path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = ["pkey", "-in", path, "-pubout", "-outform", "DER"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let der = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            // SubjectPublicKeyInfo for Ed25519: 12 bytes of header, then the raw key.
            #expect(der.count == 44)
            #expect(der.suffix(32).base64EncodedString() == key.publicKeyText)
        }

        /// Runs `sundhedscloud audit verify` on the harness's storage with the given checkpoint lines.
        func verify(_ h: GatewayHarness, lines: [String], trusted: String?) async throws -> (status: Int32, output: String) {
            let file = h.directory.appendingPathComponent("lines-\(UUID().uuidString).jsonl").path
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            return try await verify(h, checkpoints: [file], trusted: trusted)
        }

        func verify(_ h: GatewayHarness, checkpoints: [String], trusted: String?) async throws -> (status: Int32, output: String)
        {
            var arguments = ["audit", "verify", "--storage", "sqlite:" + h.storage.path]
            for file in checkpoints { arguments += ["--checkpoints", file] }
            if let trusted { arguments += ["--trusted-key", trusted] }
            let run = try ProcessRun(
                "sundhedscloud", arguments, directory: PlatformFixtures.repositoryRoot,
                environment: ["XDG_DATA_HOME": h.directory.path])
            let ended = await run.waitForExit(timeout: .seconds(30))
            if !ended { run.process.terminate() }
            #expect(ended, "audit verify ended")
            return (run.process.terminationStatus, run.output)
        }
    }
}
