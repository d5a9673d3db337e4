import DemoSources
import FHIR
import Foundation
import Testing

/// Search, read and paging over real HTTP against the demo sources on free loopback ports.
@Suite struct SearchTests {
    let cpr = HTTP.q("urn:oid:1.2.208.176.1.2|2509479989")

    @Test func findsAPatientByCPRAtEverySource() async throws {
        for source in ["hospital", "gp", "municipality"] {
            let base = try await Fixtures.shared.baseURL(source)
            let answer = try await HTTP.get("\(base)/Patient?identifier=\(cpr)")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Content-Type")?.hasPrefix("application/fhir+json") == true)
            let bundle = try answer.bundle()
            #expect(bundle.type == "searchset")
            #expect(bundle.total == 1)
            guard case .patient(let patient)? = bundle.entry?.first?.resource else {
                Issue.record("\(source): no patient")
                continue
            }
            #expect(patient.preferredName?.displayName == "Bruno Test Elmer")
            #expect(patient.address?.first?.municipalityCode == "0163")
            #expect(bundle.entry?.first?.fullUrl == "\(base)/Patient/\(patient.id ?? "")")
        }
    }

    @Test func cprWithDashIsAcceptedAndUnknownCPRFindsNothing() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let dashed = try await HTTP.get("\(base)/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|250947-9989"))").bundle()
        #expect(dashed.total == 1)
        let unknown = try await HTTP.get("\(base)/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|0101019900"))")
        #expect(unknown.status == 200)
        #expect(try unknown.bundle().total == 0)
    }

    @Test func encountersSortedNewestFirst() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let answer = try await HTTP.get("\(base)/Encounter?patient=1000&_sort=-date")
        let bundle = try answer.bundle()
        let starts = bundle.resources.compactMap { resource -> FHIRDateTime? in
            if case .encounter(let encounter) = resource { return encounter.period?.start }
            return nil
        }
        #expect(starts.count > 10)
        #expect(starts == starts.sorted(by: >))
        #expect(bundle.total == starts.count || bundle.link("next") != nil)
    }

    @Test func pagingThroughTheLargePatientsObservations() async throws {
        let large = try Fixtures.patient(tag: "large")
        let id = try #require(large.sources["hospital"])
        let base = try await Fixtures.shared.baseURL("hospital")
        var url: String? = "\(base)/Observation?patient=\(id)&_count=200"
        var ids: [String] = []
        var total: Int?
        var pages = 0
        while let next = url, pages < 50 {
            let bundle = try await HTTP.get(next).bundle()
            total = bundle.total
            ids += bundle.resources.compactMap(\.id)
            url = bundle.link("next")
            pages += 1
        }
        #expect(total ?? 0 > 1000)
        #expect(ids.count == total)
        #expect(Set(ids).count == ids.count, "no resource twice across pages")
        #expect(pages == ((total ?? 0) + 199) / 200)
    }

    @Test func summaryCountGivesOnlyTheTotal() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let bundle = try await HTTP.get("\(base)/Observation?patient=1000&_summary=count").bundle()
        #expect((bundle.total ?? 0) > 50)
        #expect(bundle.entry == nil)
    }

    @Test func dateFiltersWithPrefixes() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let all = try await HTTP.get("\(base)/Observation?patient=1000&_count=1000").bundle()
        let dates = all.resources.compactMap { resource -> FHIRDateTime? in
            if case .observation(let o) = resource { return o.effective?.start }
            return nil
        }
        let cut = try FHIRDateTime("2024-01-01")
        let expectedGE = dates.filter { $0.lowerBound >= cut.lowerBound }.count
        let ge = try await HTTP.get("\(base)/Observation?patient=1000&date=ge2024-01-01&_summary=count").bundle()
        let lt = try await HTTP.get("\(base)/Observation?patient=1000&date=lt2024-01-01&_summary=count").bundle()
        #expect(ge.total == expectedGE)
        #expect((ge.total ?? 0) + (lt.total ?? 0) == dates.count)
        let window = try await HTTP.get("\(base)/Observation?patient=1000&date=ge2024-01-01&date=le2024-12-31&_summary=count")
            .bundle()
        #expect(window.total == dates.filter { $0.text.hasPrefix("2024") }.count)
        let day = try #require(dates.first)
        let eq = try await HTTP.get("\(base)/Observation?patient=1000&date=\(day.datePart)&_count=1000").bundle()
        #expect(
            eq.resources.allSatisfy {
                if case .observation(let o) = $0 { return o.effective?.start?.datePart == day.datePart } else { return false }
            })
    }

    @Test func tokenSearchesByCodeStatusAndCategory() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let creatinine = try await HTTP.get(
            "\(base)/Observation?patient=1000&code=\(HTTP.q("urn:oid:1.2.208.176.2.1|NPU18016"))&_count=500"
        ).bundle()
        #expect(!creatinine.resources.isEmpty)
        for resource in creatinine.resources {
            guard case .observation(let observation) = resource else { continue }
            #expect(observation.code?.contains(system: DanishSystems.npu, code: "NPU18016") == true)
        }
        let emergency = try await HTTP.get("\(base)/Encounter?class=EMER&status=in-progress").bundle()
        #expect((emergency.total ?? 0) >= 1, "patients are in akutmodtagelsen right now")
        let gp = try await Fixtures.shared.baseURL("gp")
        let booked = try await HTTP.get("\(gp)/Appointment?status=booked&_count=500").bundle()
        #expect((booked.total ?? 0) > 0)
        let municipality = try await Fixtures.shared.baseURL("municipality")
        let nursing = try await HTTP.get("\(municipality)/Communication?category=nursing&_summary=count").bundle()
        #expect((nursing.total ?? 0) > 100)
        let notNursing = try await HTTP.get("\(municipality)/Communication?category:not=nursing&_summary=count").bundle()
        let all = try await HTTP.get("\(municipality)/Communication?_summary=count").bundle()
        #expect((nursing.total ?? 0) + (notNursing.total ?? 0) == all.total)
    }

    @Test func referencesMatchRelativeAbsoluteAndTyped() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let plain = try await HTTP.get("\(base)/Condition?patient=1000&_summary=count").bundle()
        let relative = try await HTTP.get("\(base)/Condition?subject=Patient/1000&_summary=count").bundle()
        let absolute = try await HTTP.get("\(base)/Condition?subject=\(HTTP.q("\(base)/Patient/1000"))&_summary=count").bundle()
        #expect((plain.total ?? 0) > 0)
        #expect(plain.total == relative.total)
        #expect(plain.total == absolute.total)
        let gp = try await Fixtures.shared.baseURL("gp")
        let bruno = try #require(try Fixtures.dataSet().manifest.patients.first { $0.cpr == "2509479989" }?.sources["gp"])
        let appointments = try await HTTP.get("\(gp)/Appointment?patient=\(bruno)&date=ge2026-11-23").bundle()
        #expect((appointments.total ?? 0) >= 2, "Bruno has coming GP appointments")
    }

    @Test func namePrefixSearchIgnoresCaseAndAccents() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let bundle = try await HTTP.get("\(base)/Patient?name=elm").bundle()
        #expect(bundle.resources.contains { if case .patient(let p) = $0 { return p.cpr == "2509479989" } else { return false } })
        let upper = try await HTTP.get("\(base)/Patient?family=\(HTTP.q("FRØLUND"))").bundle()
        #expect((upper.total ?? 0) >= 1)
        let withoutDanishLetters = try await HTTP.get("\(base)/Patient?family=frolund").bundle()
        #expect(withoutDanishLetters.total == upper.total)
        let folded = try await HTTP.get("\(base)/Patient?family=agard").bundle()
        #expect(
            folded.resources.contains {
                if case .patient(let p) = $0 { return p.preferredName?.family == "Ågård" } else { return false }
            })
    }

    @Test func readAndConditionalRead() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let first = try await HTTP.get("\(base)/Patient/1000")
        #expect(first.status == 200)
        let etag = try #require(first.headers.first(name: "ETag"))
        #expect(etag == "W/\"1\"")
        #expect(first.headers.first(name: "Last-Modified") != nil)
        let again = try await HTTP.get("\(base)/Patient/1000", headers: [("If-None-Match", etag)])
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        let vread = try await HTTP.get("\(base)/Patient/1000/_history/1")
        #expect(vread.status == 200)
        #expect(try await HTTP.get("\(base)/Patient/1000/_history/7").status == 404)
    }

    @Test func searchETagChangesWhenDataChanges() async throws {
        // A private source, so changing data does not disturb other tests.
        let store = try ResourceStore(
            resources: [
                .object(["resourceType": .string("Patient"), "id": .string("p1"), "gender": .string("male")])
            ], supportedTypes: ["Patient"])
        let server = DemoSourceServer(id: "t", name: "Test", sector: "other", store: store)
        try await server.start()
        let base = try #require(await server.baseURL)
        let first = try await HTTP.get("\(base)/Patient?gender=male")
        let etag = try #require(first.headers.first(name: "ETag"))
        #expect(try await HTTP.get("\(base)/Patient?gender=male", headers: [("If-None-Match", etag)]).status == 304)
        try store.upsert(
            .object(["resourceType": .string("Patient"), "id": .string("p1"), "gender": .string("male"), "active": .bool(true)]))
        let changed = try await HTTP.get("\(base)/Patient?gender=male", headers: [("If-None-Match", etag)])
        #expect(changed.status == 200)
        #expect(changed.headers.first(name: "ETag") != etag)
        let read = try await HTTP.get("\(base)/Patient/p1")
        #expect(read.headers.first(name: "ETag") == "W/\"2\"")
        await server.stop()
    }

    @Test func metadataListsWhatTheSourceSupports() async throws {
        let gp = try await Fixtures.shared.baseURL("gp")
        let answer = try await HTTP.get("\(gp)/metadata")
        #expect(answer.status == 200)
        let statement = try FHIRJSON.decode(CapabilityStatement.self, from: answer.body)
        #expect(statement.fhirVersion == "4.0.1")
        let types = Set(statement.rest?.first?.resource?.map(\.type) ?? [])
        #expect(types.isSuperset(of: ["Patient", "Appointment", "Condition", "MedicationStatement"]))
        #expect(!types.contains("Encounter"), "the GP system holds no hospital encounters")
        let patient = statement.rest?.first?.resource?.first { $0.type == "Patient" }
        #expect(patient?.searchParam?.contains { $0.name == "identifier" && $0.type == "token" } == true)
    }

    @Test func postSearchWorksLikeGet() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let answer = try await HTTP.get(
            "\(base)/Patient/_search", headers: [("Content-Type", "application/x-www-form-urlencoded")], method: .POST,
            body: "identifier=\(cpr)")
        #expect(answer.status == 200)
        #expect(try answer.bundle().total == 1)
    }
}
