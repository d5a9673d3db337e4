import FHIR
import Foundation
import GRDB
import Platform
import TestSupport
import Testing

extension GatewayTests {
    /// The access log: emergency accesses flagged with their reason and listed for follow-up, the citizen's own log,
    /// the hash chain and its append-only table, and no access at all when the log cannot be written.
    @Suite(.timeLimit(.minutes(3))) struct AuditLog {
        let brunoAtHospital = "/sources/hospital/fhir/Patient/\(GW.brunoHospital)"

        /// The AuditEvents of a `GET /AuditEvent` answer.
        func auditEvents(_ answer: GatewayAnswer) -> [JSONValue] { answer.resources("AuditEvent") }

        func sequence(_ event: JSONValue) -> Int64? {
            let chain = event["extension"]?.listValue.first {
                $0["url"]?.stringValue == AuditEventResource.chainExtension
            }
            let part = chain?["extension"]?.listValue.first { $0["url"]?.stringValue == "sequence" }
            return part?["valueInteger64"]?.stringValue.flatMap { Int64($0) }
        }

        func isEmergency(_ event: JSONValue) -> Bool {
            event["extension"]?.listValue.contains {
                $0["url"]?.stringValue == AuditEventResource.emergencyExtension && $0["valueBoolean"]?.boolValue == true
            } ?? false
        }

        @Test func emergencyAccessIsFlaggedListedForFollowUpAndShownToThePatient() async throws {
            try await GatewayHarness.with { h in
                #expect(try await h.get("/sources/gp/fhir/Patient/\(GW.brunoGP)", as: "egen-laege").status == 200)
                #expect(try await h.emergency(brunoAtHospital, as: "laege-uden-relation").status == 200)
                #expect(
                    try await h.get("/sources/hospital/fhir/Patient/\(GW.nancyHospital)", as: "laege-uden-relation").status == 403
                )
                #expect(try await h.get(brunoAtHospital, as: "borger-bruno").status == 200)

                let stored = try await h.storage.auditEntries(patient: nil, emergencyOnly: true, after: 0, limit: 100)
                #expect(stored.count == 1)
                #expect(stored.first?.reason == GW.emergencyReason)
                #expect(stored.first?.emergency == true)
                #expect(stored.first?.purpose == "EMERGENCY")

                // Log follow-up lists the emergency accesses.
                let followUp = try await h.get("/AuditEvent?emergency=true", as: "logopfoelgning")
                #expect(followUp.status == 200, "\(followUp.text)")
                let flagged = auditEvents(followUp)
                #expect(flagged.count == 1)
                let event = try #require(flagged.first)
                #expect(isEmergency(event))
                #expect(event["outcomeDesc"]?.stringValue == GW.emergencyReason)
                #expect(event["outcome"]?.stringValue == "0")
                #expect(event["purposeOfEvent"]?.listValue.first?["coding"]?.listValue.first?["code"]?.stringValue == "ETREAT")
                #expect(event["agent"]?.listValue.first?["who"]?["display"]?.stringValue == "Rasmus Dahl")
                #expect(
                    event["entity"]?.listValue.first?["what"]?["identifier"]?["value"]?.stringValue == GW.bruno)
                #expect(try await h.get("/AuditEvent?purpose=EMERGENCY", as: "logopfoelgning").resources("AuditEvent").count == 1)

                // Bruno's own log, newest first: log follow-up reading his entries (twice: a read of his log is an
                // access he sees), his own read, the emergency access with its reason, his GP.
                let own = try await h.get("/AuditEvent", as: "borger-bruno")
                #expect(own.status == 200, "\(own.text)")
                let mine = auditEvents(own)
                #expect(mine.map { sequence($0) } == [6, 5, 4, 2, 1])
                #expect(
                    mine.map { $0["agent"]?.listValue.first?["who"]?["display"]?.stringValue } == [
                        "Susanne Friis", "Susanne Friis", "borgeren selv", "Rasmus Dahl", "Hanne Østergaard",
                    ])
                #expect(own.text.contains("AuditEvent"), "the follow-up's reads name the access log")
                let doctor = try #require(mine.dropFirst(3).first)
                #expect(isEmergency(doctor))
                #expect(doctor["outcomeDesc"]?.stringValue == "Bevidstløs patient")
                #expect(doctor["purposeOfEvent"]?.listValue.first?["text"]?.stringValue == "EMERGENCY (værdispring)")
                #expect(own.text.contains("Ortopædkirurgisk afdeling, Gentofte"))
                #expect(!own.text.contains(GW.nancy))
                // Asking for his own CPR is the same; another's is refused.
                #expect(auditEvents(try await h.get("/AuditEvent?patient=\(GW.bruno)", as: "borger-bruno")).count == 5)
                let other = try await h.get("/AuditEvent?patient=\(GW.nancy)", as: "borger-bruno")
                expectRefused(other, reason: "not-own-data", saying: "Som borger kan du kun se din egen log")

                // Nancy sees the refused attempt on her, nothing of Bruno's.
                let nancys = try await h.get("/AuditEvent", as: "borger-nancy")
                #expect(auditEvents(nancys).count == 1)
                #expect(auditEvents(nancys).first?["outcomeDesc"]?.stringValue == "afvist: no-relationship")
                #expect(!nancys.text.contains(GW.bruno))
            }
        }

        @Test func theHashChainHoldsAndATamperedEntryIsNamed() async throws {
            try await GatewayHarness.with { h in
                _ = try await h.get(brunoAtHospital, as: "borger-bruno")
                _ = try await h.emergency(brunoAtHospital, as: "laege-uden-relation")
                _ = try await h.get("/sources/gp/fhir/Condition?patient=\(GW.brunoGP)", as: "akutlaege")
                _ = try await h.get("/sources/gp/fhir/Condition?patient=\(GW.brunoGP)", as: "egen-laege")
                _ = try await h.get("/sources/hospital/fhir/Encounter?class=EMER&status=in-progress", as: "akutlaege")
                _ = try await h.get(brunoAtHospital, as: "logopfoelgning")

                let entries = try await h.auditEntries()
                #expect(entries.count == 8)
                #expect(entries.map(\.sequence) == Array(1...8))
                #expect(entries.first?.previousHash == AuditEntry.genesis)
                #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.hash == $1.previousHash })
                let report = AuditChain.verify(entries)
                #expect(report.count == 8)
                #expect(report.broken == nil, "\(String(describing: report.broken))")

                // An altered entry is named, whatever field was changed.
                var altered = entries
                altered[2].reason = "ingen"
                #expect(AuditChain.verify(altered).broken?.sequence == 3)
                #expect(AuditChain.verify(altered).broken?.reason == "indholdet er ændret efter det blev skrevet")
                altered = entries
                altered[1].emergency = false
                #expect(AuditChain.verify(altered).broken?.sequence == 2)
                // An altered entry with its hash computed anew breaks the link from the next one.
                altered = entries
                altered[3].patientCPR = GW.nancy
                altered[3].hash = altered[3].computedHash()
                #expect(AuditChain.verify(altered).broken?.sequence == 5)
                #expect(AuditChain.verify(altered).broken?.reason == "peger ikke på den forrige post")
                // A removed entry leaves a gap in the numbers.
                altered = entries
                altered.remove(at: 4)
                #expect(AuditChain.verify(altered).broken?.sequence == 6)
                #expect(AuditChain.verify(altered).broken?.reason == "løbenummer 5 mangler")

                // The table itself refuses changes and deletions.
                let database = try DatabaseQueue(path: h.storage.path)
                for sql in ["UPDATE audit SET reason = 'ingen' WHERE sequence = 2", "DELETE FROM audit WHERE sequence = 8"] {
                    let error = #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: sql) } }
                    #expect(error?.message == "audit log is append-only", "\(String(describing: error))")
                }
                #expect(try await h.auditEntries() == entries)

                // `sundhedscloud audit verify` as an operator runs it.
                let good = try await verify(h.storage.path)
                #expect(good.status == 0, "\(good.output)")
                #expect(
                    good.output.contains("Adgangsloggen er hel: 8 poster, kæden holder (heraf 1 værdispring)"), "\(good.output)")

                // Someone with the file and the triggers out of the way: the command names the entry.
                try await database.write { db in
                    try db.execute(sql: "DROP TRIGGER audit_no_update")
                    try db.execute(sql: "UPDATE audit SET reason = NULL, emergency = 0 WHERE sequence = 2")
                }
                try database.close()
                let broken = try await verify(h.storage.path)
                #expect(broken.status == 1, "\(broken.output)")
                #expect(broken.output.contains("Adgangsloggen er BRUDT ved post 2"), "\(broken.output)")
            }
        }

        /// Runs `sundhedscloud audit verify --storage sqlite:PATH`.
        func verify(_ path: String) async throws -> (status: Int32, output: String) {
            let run = try ProcessRun(
                "sundhedscloud", ["audit", "verify", "--storage", "sqlite:" + path], directory: PlatformFixtures.repositoryRoot)
            let ended = await run.waitForExit(timeout: .seconds(30))
            if !ended { run.process.terminate() }
            #expect(ended, "audit verify ended")
            return (run.process.terminationStatus, run.output)
        }

        @Test func nothingIsServedWhenTheAccessCannotBeLogged() async throws {
            try await GatewayHarness.with { h in
                #expect(try await h.get(brunoAtHospital, as: "borger-bruno").status == 200)
                _ = try await h.get("/AuditEvent", as: "logopfoelgning")
                try h.storage.close()

                let requests: [(String, String, Bool)] = [
                    (brunoAtHospital, "borger-bruno", false),
                    (brunoAtHospital, "laege-uden-relation", true),
                    ("/sources/gp/fhir/Condition?patient=\(GW.brunoGP)", "egen-laege", false),
                    ("/sources/municipality/fhir/CarePlan?patient=\(GW.nancyMunicipality)", "hjemmesygeplejerske", false),
                    // A search across patients the ED doctor may see.
                    ("/sources/hospital/fhir/Encounter?class=EMER&status=in-progress", "akutlaege", false),
                ]
                for (path, user, emergency) in requests {
                    let answer = emergency ? try await h.emergency(path, as: user) : try await h.get(path, as: user)
                    expectRefused(
                        answer, status: 503, code: "transient", reason: "audit-unavailable",
                        saying: "Adgangsloggen kan ikke skrives; ingen data udleveres uden logning")
                    #expect(answer.english == "The access log cannot be written; no data is served unlogged")
                }
                let log = try await h.get("/AuditEvent", as: "logopfoelgning")
                #expect(log.status == 503)
                #expect(log.diagnostics.contains("Adgangsloggen kan ikke læses"), "\(log.diagnostics)")
            }
        }
    }
}
