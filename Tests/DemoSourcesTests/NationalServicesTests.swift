import DemoSources
import FHIR
import Foundation
import NIOHTTP1
import Testing

/// The national services' source (`nsp`: the medication card and the vaccination register) held to the same search,
/// paging, read and error rules as the other demo sources, over real HTTP.
@Suite struct NationalServicesTests {
    let cpr = HTTP.q("urn:oid:1.2.208.176.1.2|2509479989")

    func nsp() async throws -> String { try await Fixtures.shared.baseURL("nsp") }

    func bruno() throws -> String {
        try #require(try Fixtures.dataSet().manifest.patients.first { $0.cpr == "2509479989" }?.sources["nsp"])
    }

    /// Every page of `url`, followed by `next` (at most 60 pages).
    func allPages(_ url: String) async throws -> (resources: [AnyResource], total: Int?, pages: Int) {
        var next: String? = url
        var resources: [AnyResource] = []
        var total: Int?
        var pages = 0
        while let page = next, pages < 60 {
            let bundle = try await HTTP.get(page).bundle()
            total = bundle.total
            resources += bundle.resources
            next = bundle.link("next")
            pages += 1
        }
        return (resources, total, pages)
    }

    @Test func findsThePatientByCPRAndTheCardAndVaccinationsByPatient() async throws {
        let base = try await nsp()
        let answer = try await HTTP.get("\(base)/Patient?identifier=\(cpr)")
        #expect(answer.status == 200)
        #expect(answer.headers.first(name: "Content-Type")?.hasPrefix("application/fhir+json") == true)
        let bundle = try answer.bundle()
        #expect(bundle.type == "searchset")
        #expect(bundle.total == 1)
        guard case .patient(let patient)? = bundle.entry?.first?.resource else {
            Issue.record("no patient at nsp")
            return
        }
        #expect(patient.preferredName?.displayName == "Bruno Test Elmer")
        #expect(patient.id == (try bruno()))
        #expect(bundle.entry?.first?.fullUrl == "\(base)/Patient/\(patient.id ?? "")")

        let id = try bruno()
        let orders = try await HTTP.get("\(base)/MedicationRequest?patient=\(id)&_count=500").bundle()
        let furosemide = orders.resources.contains {
            guard case .medicationRequest(let order) = $0 else { return false }
            return order.medicationCodeableConcept?.contains(system: "http://www.whocc.no/atc", code: "C03CA01") == true
        }
        #expect(furosemide, "Bruno's furosemide is on his medication card")
        // The same search by reference, relative and absolute.
        let relative = try await HTTP.get("\(base)/MedicationRequest?subject=Patient/\(id)&_summary=count").bundle()
        let absolute = try await HTTP.get(
            "\(base)/MedicationRequest?subject=\(HTTP.q("\(base)/Patient/\(id)"))&_summary=count"
        ).bundle()
        #expect(relative.total == orders.total)
        #expect(absolute.total == orders.total)
        let vaccinations = try await HTTP.get("\(base)/Immunization?patient=\(id)&_sort=-date&_count=500").bundle()
        let dates = vaccinations.resources.compactMap { resource -> FHIRDateTime? in
            if case .immunization(let vaccination) = resource { return vaccination.occurrenceDateTime }
            return nil
        }
        #expect(dates.count >= 2)
        #expect(dates == dates.sorted(by: >), "newest first")
        #expect(
            vaccinations.resources.contains {
                if case .immunization(let v) = $0 { return v.vaccineCode?.text?.lowercased().contains("influenza") == true }
                return false
            })
    }

    @Test func pagingThroughEveryEffectuation() async throws {
        let base = try await nsp()
        let (resources, total, pages) = try await allPages("\(base)/MedicationDispense?_count=40")
        #expect((total ?? 0) > 200)
        #expect(resources.count == total)
        #expect(Set(resources.compactMap(\.id)).count == resources.count, "no resource twice across pages")
        #expect(pages == ((total ?? 0) + 39) / 40)
        let count = try await HTTP.get("\(base)/MedicationDispense?_summary=count").bundle()
        #expect(count.total == total)
        #expect(count.entry == nil)
    }

    @Test func dateAndTokenSearches() async throws {
        let base = try await nsp()
        let (all, _, _) = try await allPages("\(base)/Immunization?_count=500")
        let dates = all.compactMap { resource -> FHIRDateTime? in
            if case .immunization(let v) = resource { return v.occurrenceDateTime }
            return nil
        }
        #expect(dates.count == all.count)
        let cut = try FHIRDateTime("2020-01-01")
        let ge = try await HTTP.get("\(base)/Immunization?date=ge2020-01-01&_summary=count").bundle()
        let lt = try await HTTP.get("\(base)/Immunization?date=lt2020-01-01&_summary=count").bundle()
        #expect(ge.total == dates.filter { $0.lowerBound >= cut.lowerBound }.count)
        #expect((ge.total ?? 0) + (lt.total ?? 0) == dates.count)

        let (orders, _, _) = try await allPages("\(base)/MedicationRequest?_count=500")
        let authored = orders.compactMap { resource -> FHIRDateTime? in
            if case .medicationRequest(let order) = resource { return order.authoredOn }
            return nil
        }
        let since = try await HTTP.get("\(base)/MedicationRequest?authoredon=ge2020-01-01&_summary=count").bundle()
        #expect(since.total == authored.filter { $0.lowerBound >= cut.lowerBound }.count)

        let furosemide = try await HTTP.get(
            "\(base)/MedicationRequest?code=\(HTTP.q("http://www.whocc.no/atc|C03CA01"))&_count=500"
        ).bundle()
        #expect(!furosemide.resources.isEmpty)
        for resource in furosemide.resources {
            guard case .medicationRequest(let order) = resource else {
                Issue.record("not an order: \(resource.resourceType ?? "?")")
                continue
            }
            #expect(order.medicationCodeableConcept?.contains(system: "http://www.whocc.no/atc", code: "C03CA01") == true)
        }
        let active = try await HTTP.get("\(base)/MedicationRequest?status=active&_summary=count").bundle()
        let notActive = try await HTTP.get("\(base)/MedicationRequest?status:not=active&_summary=count").bundle()
        #expect((active.total ?? 0) > 0)
        #expect((active.total ?? 0) + (notActive.total ?? 0) == orders.count)

        // An effectuation names the ordination it carried out, and can be found by it.
        guard
            case .medicationDispense(let dispense)? = try await HTTP.get("\(base)/MedicationDispense?_count=1").bundle()
                .resources.first,
            let prescription = dispense.authorizingPrescription?.first?.reference
        else {
            Issue.record("no effectuation with its ordination")
            return
        }
        let byPrescription = try await HTTP.get("\(base)/MedicationDispense?prescription=\(prescription)&_count=500").bundle()
        #expect(byPrescription.resources.contains { $0.id == dispense.id })
        #expect(try await HTTP.get("\(base)/\(prescription)").status == 200, "\(prescription) is there")
    }

    @Test func readConditionalReadAndVersionRead() async throws {
        let base = try await nsp()
        let id = try #require(try await HTTP.get("\(base)/MedicationRequest?_count=1").bundle().resources.first?.id)
        let first = try await HTTP.get("\(base)/MedicationRequest/\(id)")
        #expect(first.status == 200)
        let etag = try #require(first.headers.first(name: "ETag"))
        #expect(first.headers.first(name: "Last-Modified") != nil)
        let again = try await HTTP.get("\(base)/MedicationRequest/\(id)", headers: [("If-None-Match", etag)])
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        #expect(try await HTTP.get("\(base)/MedicationRequest/\(id)/_history/1").status == 200)
        #expect(try await HTTP.get("\(base)/MedicationRequest/\(id)/_history/7").status == 404)
        let search = try await HTTP.get("\(base)/Immunization?patient=\(try bruno())")
        let searchTag = try #require(search.headers.first(name: "ETag"))
        #expect(
            try await HTTP.get("\(base)/Immunization?patient=\(try bruno())", headers: [("If-None-Match", searchTag)]).status
                == 304)
    }

    @Test func metadataListsTheCardAndTheRegisterOnly() async throws {
        let answer = try await HTTP.get("\(try await nsp())/metadata")
        #expect(answer.status == 200)
        let statement = try FHIRJSON.decode(CapabilityStatement.self, from: answer.body)
        #expect(statement.fhirVersion == "4.0.1")
        let types = Set(statement.rest?.first?.resource?.map(\.type) ?? [])
        #expect(types.isSuperset(of: ["Patient", "MedicationRequest", "MedicationDispense", "Immunization"]))
        #expect(!types.contains("Encounter") && !types.contains("Observation"), "no hospital or lab data: \(types)")
        let immunization = statement.rest?.first?.resource?.first { $0.type == "Immunization" }
        #expect(immunization?.searchParam?.contains { $0.name == "vaccine-code" && $0.type == "token" } == true)
    }

    @Test func postSearchWorksLikeGet() async throws {
        let answer = try await HTTP.get(
            "\(try await nsp())/MedicationRequest/_search", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            method: .POST, body: "patient=\(try bruno())&_summary=count")
        #expect(answer.status == 200)
        let get = try await HTTP.get("\(try await nsp())/MedicationRequest?patient=\(try bruno())&_summary=count").bundle()
        #expect(try answer.bundle().total == get.total)
    }

    /// Bad requests: an OperationOutcome with the right status and a clear Danish message, as from the others.
    @Test(arguments: [
        ("/Encounter", 404, "Encounter findes ikke"),
        ("/MedicationRequest/findes-ikke", 404, "MedicationRequest/findes-ikke findes ikke"),
        ("/Immunization/bad$id", 400, "gyldigt id"),
        ("/Immunization?shoeSize=42", 400, "Ukendt søgeparameter 'shoeSize'"),
        ("/Immunization?date=ge2024-13-01", 400, "Ugyldig dato"),
        ("/MedicationRequest?_count=mange", 400, "_count"),
        ("/MedicationRequest?_sort=shoeSize", 400, "sortere"),
        ("/MedicationRequest?code:fuzzy=x", 400, "fuzzy"),
        ("/MedicationDispense?patient=", 400, "mangler en værdi"),
        ("/Patient?identifier=urn%3Aoid%3A1.2.208.176.1.2%7C12345", 400, "10 cifre"),
    ])
    func badRequestsAreNamed(path: String, status: Int, text: String) async throws {
        let answer = try await HTTP.get("\(try await nsp())\(path)")
        #expect(answer.status == status, "\(path)")
        let outcome = try answer.outcome()
        #expect(outcome.issue.first?.severity == "error")
        #expect(outcome.message.contains(text), "\(path): \(outcome.message)")
    }

    @Test func theCardIsReadOnly() async throws {
        for (method, path) in [(HTTPMethod.POST, "/MedicationRequest"), (.DELETE, "/Immunization/n-vac00001")] {
            let answer = try await HTTP.get("\(try await nsp())\(path)", method: method)
            #expect(answer.status == 405, "\(method) \(path)")
            #expect(try answer.outcome().message.contains("kun læses"))
        }
    }
}
