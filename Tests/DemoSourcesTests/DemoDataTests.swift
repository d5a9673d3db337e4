import DemoSources
import FHIR
import Foundation
import Testing

/// Every resource the demo sources serve is valid FHIR R4, the people are synthetic by the test-CPR rules, and the
/// data holds the cases later features are tested with.
@Suite struct DemoDataTests {
    @Test func everyResourceDecodesAndIsValid() throws {
        let data = try Fixtures.dataSet()
        var count = 0
        var problems: [String] = []
        for (source, resources) in data.resources {
            for json in resources {
                let resource = try FHIRJSON.decode(AnyResource.self, from: Data(json.serialized()))
                count += 1
                if case .other(let type, _) = resource { problems.append("\(source): unmodelled type \(type)") }
                for problem in ResourceValidator.problems(in: resource) {
                    problems.append("\(source) \(resource.resourceType ?? "?")/\(resource.id ?? "?"): \(problem)")
                }
            }
        }
        #expect(count > 5000)
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
    }

    @Test func peopleAreSyntheticByTheTestCPRRules() throws {
        let manifest = try Fixtures.dataSet().manifest
        #expect(manifest.patients.count >= 40)
        #expect(Set(manifest.patients.map(\.cpr)).count == manifest.patients.count)
        for patient in manifest.patients {
            let cpr = try CPRNumber(patient.cpr)
            #expect(cpr.isTestNumber, "\(patient.cpr) must have serial 99xx and fail modulus 11")
            #expect(cpr.gender == patient.gender, "\(patient.cpr): gender must follow the last digit")
            #expect(!patient.birthDate.hasSuffix("-01-01"), "\(patient.cpr): 1 January is not used")
            #expect(patient.name.split(separator: " ").contains("Test"), "\(patient.name) must have Test among the names")
            let birth = try #require(cpr.birthDateComponents)
            #expect(String(format: "%04d-%02d-%02d", birth.year, birth.month, birth.day) == patient.birthDate)
        }
        let allNames = manifest.patients.map(\.name).joined()
        #expect(allNames.contains("Æ") || allNames.contains("æ"))
        #expect(allNames.contains("Ø") || allNames.contains("ø"))
        #expect(allNames.contains("Å") || allNames.contains("å"))
    }

    @Test func theSpecialPatientsAreThere() throws {
        let manifest = try Fixtures.dataSet().manifest
        let bruno = try #require(manifest.patients.first { $0.cpr == "2509479989" })
        #expect(bruno.name == "Bruno Test Elmer")
        #expect(Set(bruno.sources.keys) == ["hospital", "gp", "municipality", "nsp"])
        let large = try Fixtures.patient(tag: "large")
        #expect(large.resources.values.reduce(0, +) > 1000)
        // Known to one local source, and to the national services (the medication card and the vaccination register
        // hold every citizen).
        #expect(Set(try Fixtures.patient(tag: "single-source").sources.keys).subtracting(["nsp"]).count == 1)
        #expect(manifest.patients.allSatisfy { $0.sources["nsp"] != nil })
        #expect(try Fixtures.patient(tag: "long-texts").name.count > 60)
        for cpr in ["2512489996", "0201609995", "1509819996"] {
            #expect(manifest.patients.contains { $0.cpr == cpr }, "MedCom test person \(cpr)")
        }
    }

    @Test func hostileTextIsInTheDataForTheSanitizer() throws {
        let data = try Fixtures.dataSet()
        let hostile = try Fixtures.patient(tag: "hostile-text")
        let text = data.resources.values.joined().map { $0.serializedString() }.filter { $0.contains(hostile.name) }.joined()
        #expect(text.contains("\\u001b["), "ANSI escape sequences")
        #expect(text.contains("\u{202E}"), "bidi override")
        #expect(text.contains("\\u0007"), "bell")
        #expect(text.contains("\u{9B}"), "C1 control")
    }

    @Test func referencesPointToResourcesAtTheSameSource() throws {
        let data = try Fixtures.dataSet()
        for (source, resources) in data.resources {
            let ids = Set(
                resources.compactMap { json -> String? in
                    guard let type = json["resourceType"]?.stringValue, let id = json["id"]?.stringValue else { return nil }
                    return "\(type)/\(id)"
                })
            for json in resources {
                for reference in Self.references(in: json) where !ids.contains(reference) {
                    Issue.record(
                        "\(source): \(json["resourceType"]?.stringValue ?? "")/\(json["id"]?.stringValue ?? "") refers to missing \(reference)"
                    )
                }
            }
        }
    }

    @Test func historiesAreClinicallyCoherent() throws {
        let data = try Fixtures.dataSet()
        let manifest = data.manifest
        func resources(_ source: String, _ type: String, patient: String) -> [JSONValue] {
            (data.resources[source] ?? []).filter {
                $0["resourceType"]?.stringValue == type
                    && ($0["subject"]?["reference"]?.stringValue == "Patient/\(patient)"
                        || $0["patient"]?["reference"]?.stringValue == "Patient/\(patient)")
            }
        }
        for patient in manifest.patients {
            guard let hospitalID = patient.sources["hospital"] else { continue }
            let codes = resources("hospital", "Condition", patient: hospitalID).compactMap {
                $0["code"]?["coding"]?.arrayValue?.first?["code"]?.stringValue
            }
            guard codes.contains("DI50") else { continue }
            // Heart failure: creatinine is followed at the hospital, furosemide is prescribed by the GP.
            let labs = resources("hospital", "Observation", patient: hospitalID).compactMap {
                $0["code"]?["coding"]?.arrayValue?.first?["code"]?.stringValue
            }
            #expect(labs.contains("NPU18016"), "\(patient.name) has heart failure but no creatinine")
            if let gpID = patient.sources["gp"] {
                let meds = resources("gp", "MedicationStatement", patient: gpID).compactMap {
                    $0["medicationCodeableConcept"]?["coding"]?.arrayValue?.first?["code"]?.stringValue
                }
                #expect(meds.contains("C03CA01"), "\(patient.name) has heart failure but no furosemide")
            }
        }
    }

    @Test func theDemoUserIsChosenByNumberOrIdAndAnythingElseIsNoChoice() throws {
        let users = try DemoUser.load(from: Fixtures.dataDirectory)
        #expect(users.count >= 7)
        #expect(DemoUser.choice("", from: users)?.id == "akutlaege")
        #expect(DemoUser.choice(" 2 ", from: users)?.id == "egen-laege")
        #expect(DemoUser.choice("hjemmesygeplejerske", from: users)?.name == "Lone Bækgaard")
        for wrong in ["0", "\(users.count + 1)", "-1", "xyz", ":p 2509479989", "Akutlaege"] {
            #expect(DemoUser.choice(wrong, from: users) == nil, "\(wrong)")
        }
    }

    @Test func aCorruptFileIsNamedWithItsLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("hospital"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("gp"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("municipality"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.dataDirectory.appendingPathComponent("manifest.json"),
            to: directory.appendingPathComponent("manifest.json"))
        let file = directory.appendingPathComponent("hospital/Patient.ndjson")
        try Data("{\"resourceType\":\"Patient\",\"id\":\"ok\"}\n{\"resourceType\":\"Patient\",\"id\":\"broken\"\n".utf8).write(
            to: file)
        do {
            _ = try DemoDataSet.load(from: directory, dateShift: DateShift.none)
            Issue.record("a corrupt file was accepted")
        } catch let error as DemoDataError {
            #expect(error.file.hasSuffix("hospital/Patient.ndjson"))
            #expect(error.line == 2)
            #expect(String(describing: error).contains("linje 2"))
        }
        try Data("{\"resourceType\":\"Observation\",\"id\":\"x\"}\n".utf8).write(to: file)
        #expect(throws: DemoDataError.self) { try DemoDataSet.load(from: directory, dateShift: DateShift.none) }
    }

    @Test func theDateShiftMovesClinicalDatesButNotBirthDates() throws {
        let shift = DateShift(days: 10)
        let patient = JSONValue.object(["resourceType": .string("Patient"), "birthDate": .string("1947-09-25")])
        #expect(shift.apply(to: patient)["birthDate"]?.stringValue == "1947-09-25")
        let encounter = JSONValue.object([
            "period": .object(["start": .string("2026-11-23T08:00:00+01:00"), "end": .string("2026-12-30")]),
            "onsetDateTime": .string("2019-05"),
        ])
        let moved = shift.apply(to: encounter)
        #expect(moved["period"]?["start"]?.stringValue == "2026-12-03T08:00:00+01:00")
        #expect(moved["period"]?["end"]?.stringValue == "2027-01-09")
        #expect(moved["onsetDateTime"]?.stringValue == "2019-05")
        #expect(DateShift.toToday(from: "2026-11-23", now: try FHIRDateTime("2026-11-25T12:00:00+01:00").lowerBound).days == 2)
    }

    static func references(in json: JSONValue) -> [String] {
        switch json {
        case .object(let members):
            var found: [String] = []
            if let text = members["reference"]?.stringValue, let target = Reference(reference: text).target {
                found.append("\(target.type)/\(target.id)")
            }
            for (_, value) in members { found += references(in: value) }
            return found
        case .array(let values):
            return values.flatMap(references(in:))
        default:
            return []
        }
    }
}

/// The demo's dates are moved to today: the dates written in a letter's text move with the structured ones, so a
/// letter says the admission the history shows.
@Suite struct DateShiftTextTests {
    @Test func writtenDatesMoveAndBirthDatesStay() {
        let shift = DateShift(days: 9)
        #expect(
            shift.shiftWrittenDates("Indlagt: 08.02.2024  Udskrevet: 28.02.2024, født 25.09.1947, kl. 7.2.2024")
                == "Indlagt: 17.02.2024  Udskrevet: 08.03.2024, født 25.09.1947, kl. 16.2.2024")
        #expect(
            shift.shiftWrittenDates("version 1.2.3 og 32.13.2024 er ingen datoer")
                == "version 1.2.3 og 32.13.2024 er ingen datoer")
        let letter = JSONValue.object([
            "resourceType": .string("DocumentReference"),
            "content": .array([
                .object([
                    "attachment": .object([
                        "contentType": .string("text/plain; charset=utf-8"),
                        "data": .string(Data("Indlagt: 31.12.2024".utf8).base64EncodedString()),
                    ])
                ])
            ]),
            "description": .string("Epikrise 31.12.2024"),
        ])
        let moved = shift.apply(to: letter)
        let data = moved["content"]?.listValue.first?["attachment"]?["data"]?.stringValue.flatMap { Data(base64Encoded: $0) }
        #expect(data.map { String(decoding: $0, as: UTF8.self) } == "Indlagt: 09.01.2025")
        #expect(moved["description"]?.stringValue == "Epikrise 09.01.2025")
    }

    @Test func everyLetterSaysTheAdmissionTheHistoryShows() throws {
        let directory = Fixtures.dataDirectory
        for days in [0, 123] {
            let data = try DemoDataSet.load(from: directory, dateShift: DateShift(days: days))
            let hospital = data.resources["hospital"] ?? []
            var starts: [String: String] = [:]
            for json in hospital where json["resourceType"]?.stringValue == "Encounter" {
                if let id = json["id"]?.stringValue, let start = json["period"]?["start"]?.stringValue { starts[id] = start }
            }
            var checked = 0
            for json in hospital where json["resourceType"]?.stringValue == "DocumentReference" {
                guard let encounter = json["context"]?["encounter"]?.listValue.first?["reference"]?.stringValue,
                    let start = starts[String(encounter.dropFirst("Encounter/".count))],
                    let encoded = json["content"]?.listValue.first?["attachment"]?["data"]?.stringValue,
                    let text = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
                    let written = text.firstMatch(of: /Indlagt: ([0-9]{2})\.([0-9]{2})\.([0-9]{4})/)
                else { continue }
                let day = try FHIRDateTime(start)
                let civil = CivilTime(day.lowerBound)
                #expect(
                    "\(written.output.3)-\(written.output.2)-\(written.output.1)"
                        == String(format: "%04d-%02d-%02d", civil.year, civil.month, civil.day),
                    "shift \(days): \(encounter) starts \(start), its letter says \(written.output.0)")
                checked += 1
            }
            #expect(checked > 20)
        }
    }
}
