import FHIR
import Foundation

/// A synthetic population for the analysis platform to count: `persons` citizens of the Capital Region's 29
/// municipalities, the same for the same seed on every machine. Each has test-CPR rules as the demo's patients (a
/// real birth date that is not 1 January, serial 99xx, a check digit that fails modulus 11, "Test" among the given
/// names); an age and sex structure like Denmark's; chronic conditions whose prevalence grows with age (hypertension,
/// type 2 diabetes, KOL, asthma, heart failure, depression); three years (2024 to November 2026) of ambulatory and
/// emergency encounters, more of them for the chronically ill (KOL and heart failure bring emergency arrivals); lab
/// results at those visits; and the medication their conditions call for.
///
/// Written as NDJSON, one file per type, with `cohort.json` (`CohortFiles.Manifest`) beside them, into a folder made
/// next to `folder` and moved into place when complete, so an interrupted run leaves nothing half-written.
package struct CohortGenerator {
    package var persons: Int
    package var seed: UInt64

    /// Every resource of the cohort was last updated at this instant (the cohort is made at once).
    static let generated = "2026-12-01T06:00:00Z"
    static let start = DateComponents(year: 2024, month: 1, day: 1)
    package static let types = ["Patient", "Condition", "Encounter", "Observation", "MedicationStatement"]

    package init(persons: Int, seed: UInt64 = 2026) {
        self.persons = persons
        self.seed = seed
    }

    /// The Capital Region's municipalities (DK core codes), with about their share of the region's population.
    static let municipalities: [(code: String, name: String, postal: String, weight: Int)] = [
        ("0101", "København", "2300", 343), ("0147", "Frederiksberg", "2000", 55), ("0151", "Ballerup", "2750", 26),
        ("0153", "Brøndby", "2605", 19), ("0155", "Dragør", "2791", 7), ("0157", "Gentofte", "2820", 40),
        ("0159", "Gladsaxe", "2860", 37), ("0161", "Glostrup", "2600", 12), ("0163", "Herlev", "2730", 15),
        ("0165", "Albertslund", "2620", 15), ("0167", "Hvidovre", "2650", 28), ("0169", "Høje-Taastrup", "2630", 29),
        ("0173", "Lyngby-Taarbæk", "2800", 30), ("0175", "Rødovre", "2610", 22), ("0183", "Ishøj", "2635", 12),
        ("0185", "Tårnby", "2770", 23), ("0187", "Vallensbæk", "2625", 9), ("0190", "Furesø", "3520", 22),
        ("0201", "Allerød", "3450", 14), ("0210", "Fredensborg", "3480", 22), ("0217", "Helsingør", "3000", 34),
        ("0219", "Hillerød", "3400", 29), ("0223", "Hørsholm", "2970", 14), ("0230", "Rudersdal", "2840", 29),
        ("0240", "Egedal", "3660", 23), ("0250", "Frederikssund", "3600", 24), ("0260", "Halsnæs", "3300", 18),
        ("0270", "Gribskov", "3200", 22), ("0400", "Bornholm", "3700", 22),
    ]

    /// ICD-10 (SKS) code, text, who gets it (probability by age and sex), ambulatory visits a year it brings, how it
    /// raises emergency arrivals, and its medicine (ATC).
    struct Chronic: Sendable {
        let code: String
        let text: String
        let chance: @Sendable (_ age: Int, _ male: Bool) -> Double
        let visits: Double
        let emergency: Double
        let atc: (code: String, text: String)
    }

    static let chronic: [Chronic] = [
        Chronic(
            code: "DI10", text: "Essentiel hypertension",
            chance: { age, _ in age < 30 ? 0 : min(0.55, Double(age - 30) * 0.011) },
            visits: 1, emergency: 1.1, atc: ("C09AA02", "Enalapril")),
        Chronic(
            code: "DE11", text: "Type 2-diabetes",
            chance: { age, male in age < 30 ? 0 : min(0.2, Double(age - 30) * 0.0035) * (male ? 1.2 : 1) },
            visits: 2, emergency: 1.3, atc: ("A10BA02", "Metformin")),
        Chronic(
            code: "DJ44", text: "Kronisk obstruktiv lungesygdom (KOL)",
            chance: { age, male in age < 40 ? 0 : min(0.14, Double(age - 40) * 0.003) * (male ? 1.1 : 0.95) },
            visits: 2, emergency: 3, atc: ("R03AL03", "Umeclidinium og vilanterol")),
        Chronic(
            code: "DJ45", text: "Astma", chance: { age, _ in age < 5 ? 0 : 0.06 }, visits: 1, emergency: 1.5,
            atc: ("R03BA02", "Budesonid")),
        Chronic(
            code: "DI50", text: "Hjertesvigt",
            chance: { age, male in age < 55 ? 0 : min(0.12, Double(age - 55) * 0.003) * (male ? 1.2 : 0.9) },
            visits: 2, emergency: 3, atc: ("C03CA01", "Furosemid")),
        Chronic(
            code: "DF32", text: "Depression", chance: { age, male in age < 15 ? 0 : (male ? 0.035 : 0.06) }, visits: 1,
            emergency: 1.2, atc: ("N06AB04", "Citalopram")),
    ]

    static let givenMale = [
        "Anders", "Bo", "Christian", "Frederik", "Henrik", "Jens", "Jonas", "Lars", "Mads", "Niels",
        "Ole", "Peter", "Rasmus", "Søren", "Thomas", "William", "Oscar", "Malthe", "Emil", "Karl",
    ]
    static let givenFemale = [
        "Anne", "Birgitte", "Camilla", "Dorthe", "Emma", "Freja", "Hanne", "Ida", "Karen", "Lene",
        "Mette", "Nanna", "Pia", "Sofie", "Susanne", "Tove", "Alma", "Clara", "Ella", "Inger",
    ]
    static let family = [
        "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen",
        "Johansen", "Møller", "Mortensen", "Berggren",
    ]

    /// Writes the cohort into `folder` (replacing one there), calling `progress` with the persons written now and
    /// then; answers the manifest.
    @discardableResult
    package func write(to folder: URL, progress: (Int) -> Void = { _ in }) throws -> CohortFiles.Manifest {
        let files = FileManager.default
        let staging = folder.deletingLastPathComponent().appendingPathComponent(
            ".\(folder.lastPathComponent).writing-\(getpid())")
        try? files.removeItem(at: staging)
        try files.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            var outputs: [String: NDJSONFile] = [:]
            for type in Self.types { outputs[type] = try NDJSONFile(folder: staging, name: "\(type).ndjson") }
            var used: Set<String> = []
            used.reserveCapacity(persons)
            var writer = PersonWriter()
            for index in 0..<persons {
                var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
                try writer.person(index, random: &random, used: &used) { type, line in try outputs[type]!.append(line) }
                if index % 10_000 == 9_999 { progress(index + 1) }
            }
            var counts: [String: Int] = [:]
            for (type, file) in outputs {
                try file.close()
                counts[type] = file.lines
            }
            let manifest = CohortFiles.Manifest(
                persons: persons, seed: seed, generated: Self.generated, counts: counts, version: CohortFiles.version)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(manifest).write(to: staging.appendingPathComponent(CohortFiles.manifestName))
            try? files.removeItem(at: folder)
            try files.moveItem(at: staging, to: folder)
            return manifest
        } catch {
            try? files.removeItem(at: staging)
            throw error
        }
    }
}

/// SplitMix64: small, fast and the same everywhere (the cohort must be too, and so must a test's random input).
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
    /// A Poisson count with mean `mean` (Knuth; the means here are small).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var product = Double.random(in: 0..<1, using: &self)
        var count = 0
        while product > limit, count < 200 {
            count += 1
            product *= Double.random(in: 0..<1, using: &self)
        }
        return count
    }
}

/// Writes one person's resources as JSON text (much faster than building JSON values for millions of them).
struct PersonWriter {
    static let today = DateComponents(year: 2026, month: 11, day: 30)
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
    static let startDay = calendar.date(from: DateComponents(year: 2024, month: 1, day: 1))!
    static let endDay = calendar.date(from: DateComponents(year: 2026, month: 11, day: 30))!
    static let municipalityWeights = CohortGenerator.municipalities.map(\.weight)
    static let municipalityTotal = municipalityWeights.reduce(0, +)
    var counter = 0

    mutating func nextID(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// An age like Denmark's: fewer of each year after 60, few past 90.
    static func age(_ random: inout SplitMix64) -> Int {
        let band = Double.random(in: 0..<1, using: &random)
        switch band {
        case ..<0.22: return Int.random(in: 0...19, using: &random)
        case ..<0.48: return Int.random(in: 20...39, using: &random)
        case ..<0.74: return Int.random(in: 40...59, using: &random)
        case ..<0.95: return Int.random(in: 60...79, using: &random)
        default: return Int.random(in: 80...89, using: &random)
        }
    }

    static func day(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// A test-CPR number for the birth date and sex: serial 99xx, odd last digit for a man, failing modulus 11;
    /// not one already used.
    static func cpr(
        birth: DateComponents, male: Bool, random: inout SplitMix64, used: inout Set<String>
    ) -> String? {
        let date = String(format: "%02d%02d%02d", birth.day!, birth.month!, birth.year! % 100)
        for _ in 0..<40 {
            let third = Int.random(in: 0...9, using: &random)
            var last = Int.random(in: 0...4, using: &random) * 2 + (male ? 1 : 0)
            if last > 9 { last -= 2 }
            let number = "\(date)99\(third)\(last)"
            guard let cpr = try? CPRNumber(number), cpr.isTestNumber, !used.contains(number) else { continue }
            used.insert(number)
            return number
        }
        return nil
    }

    mutating func person(
        _ index: Int, random: inout SplitMix64, used: inout Set<String>, _ emit: (String, [UInt8]) throws -> Void
    ) rethrows {
        let calendar = Self.calendar
        // Birth date and sex: a date that is not 1 January, a CPR number free for it (else another date).
        var male = random.chance(0.5)
        var cpr: String?
        var birth = DateComponents()
        var age = 0
        while cpr == nil {
            age = Self.age(&random)
            male = random.chance(0.5)
            let year = 2026 - age - (Int.random(in: 0...1, using: &random))
            let dayOfYear = Int.random(in: 1...364, using: &random)
            let date = calendar.date(
                byAdding: .day, value: dayOfYear, to: calendar.date(from: DateComponents(year: year, month: 1, day: 1))!)!
            birth = calendar.dateComponents([.year, .month, .day], from: date)
            // Test serials (99xx, the 7th digit 9) stand for births 1937-2036: the oldest are left out.
            guard birth.year! >= 1937 else { continue }
            age = 2026 - birth.year! - ((birth.month!, birth.day!) > (11, 30) ? 1 : 0)
            cpr = Self.cpr(birth: birth, male: male, random: &random, used: &used)
        }
        let id = String(format: "c%07d", index + 1)
        let reference = "\"subject\":{\"reference\":\"Patient/\(id)\"}"
        let meta = "\"meta\":{\"lastUpdated\":\"\(CohortGenerator.generated)\"}"
        var pick = Int.random(in: 0..<Self.municipalityTotal, using: &random)
        var place = CohortGenerator.municipalities[0]
        for municipality in CohortGenerator.municipalities {
            if pick < municipality.weight {
                place = municipality
                break
            }
            pick -= municipality.weight
        }
        let given = random.pick(male ? CohortGenerator.givenMale : CohortGenerator.givenFemale)
        let family = random.pick(CohortGenerator.family)
        let birthDate = String(format: "%04d-%02d-%02d", birth.year!, birth.month!, birth.day!)
        let street = "\(random.pick(["Test", "Prøve", "Demo", "Eksempel"]))vej \(Int.random(in: 1...199, using: &random))"
        try emit(
            "Patient",
            Array(
                """
                {"resourceType":"Patient","id":"\(id)",\(meta),"identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"\(cpr!)"}],\
                "active":true,"name":[{"use":"official","family":"\(family)","given":["\(given)","Test"]}],\
                "telecom":[{"system":"phone","value":"+45 99 \(String(format: "%02d %02d %02d", index % 97, index % 89, index % 83))"}],\
                "gender":"\(male ? "male" : "female")","birthDate":"\(birthDate)",\
                "address":[{"extension":[{"url":"http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes",\
                "valueCodeableConcept":{"coding":[{"system":"http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes",\
                "code":"\(place.code)","display":"\(place.name)"}]}}],"use":"home","line":["\(street)"],\
                "city":"\(place.name)","postalCode":"\(place.postal)","country":"DK"}]}
                """.utf8))

        // Chronic conditions, each from an onset in adult life (or childhood for asthma).
        var conditions: [CohortGenerator.Chronic] = []
        for condition in CohortGenerator.chronic where random.chance(condition.chance(age, male)) {
            conditions.append(condition)
            let earliest = max(condition.code == "DJ45" ? 5 : 18, age - 25)
            let onsetAge = Int.random(in: min(earliest, age)...age, using: &random)
            let onset = String(
                format: "%04d-%02d-%02d", birth.year! + onsetAge, Int.random(in: 1...12, using: &random),
                Int.random(in: 1...28, using: &random))
            let conditionID = nextID("cc")
            try emit(
                "Condition",
                Array(
                    """
                    {"resourceType":"Condition","id":"\(conditionID)",\(reference),\(meta),\
                    "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},\
                    "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},\
                    "code":{"coding":[{"system":"urn:oid:1.2.208.176.2.4.12","code":"\(condition.code)","display":"\(condition.text)"}],\
                    "text":"\(condition.text)"},"onsetDateTime":"\(onset)","recordedDate":"\(onset)",\
                    "note":[{"text":"\(given) \(family) fortalte om sin \(condition.text.lowercased()) ved kontrollen."}]}
                    """.utf8))
            try emit(
                "MedicationStatement",
                Array(
                    """
                    {"resourceType":"MedicationStatement","id":"\(nextID("cm"))",\(reference),\(meta),"status":"active",\
                    "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"\(condition.atc.code)",\
                    "display":"\(condition.atc.text)"}],"text":"\(condition.atc.text)"},"effectivePeriod":{"start":"\(onset)"},\
                    "reasonCode":[{"coding":[{"system":"urn:oid:1.2.208.176.2.4.12","code":"\(condition.code)"}]}]}
                    """.utf8))
        }

        // Three years of encounters: ambulatory visits (more for the chronically ill, with lab results), and
        // emergency arrivals.
        let span = Self.endDay.timeIntervalSince(Self.startDay)
        let years = span / (365.25 * 86400)
        let visitsPerYear = 1.8 + conditions.reduce(0) { $0 + $1.visits } + (age >= 65 ? 1.5 : 0)
        let emergencyRate = conditions.reduce(0.06 + (age >= 75 ? 0.1 : 0) + (age < 5 ? 0.08 : 0)) { $0 * $1.emergency }
        let emergencies = random.poisson(emergencyRate * years)
        let visits = random.poisson(visitsPerYear * years)
        for kind in Array(repeating: "AMB", count: visits) + Array(repeating: "EMER", count: emergencies) {
            let start = Self.startDay.addingTimeInterval(Double.random(in: 0..<span, using: &random).rounded(.down))
            let day = Self.day(start)
            let hour = kind == "EMER" ? Int.random(in: 0...23, using: &random) : Int.random(in: 8...15, using: &random)
            let minute = Int.random(in: 0...59, using: &random)
            let time = "\(day)T\(String(format: "%02d:%02d", hour, minute)):00Z"
            let reason = conditions.isEmpty ? nil : random.pick(conditions)
            let reasonCode =
                reason.map {
                    ",\"reasonCode\":[{\"coding\":[{\"system\":\"urn:oid:1.2.208.176.2.4.12\",\"code\":\"\($0.code)\"}]}]"
                } ?? ""
            let provider =
                kind == "EMER"
                ? "Akutmodtagelsen, \(random.pick(["Herlev", "Hvidovre", "Bispebjerg", "Nordsjællands Hospital", "Rigshospitalet"]))"
                : "Almen praksis, \(place.name)"
            let encounterID = nextID("ce")
            try emit(
                "Encounter",
                Array(
                    """
                    {"resourceType":"Encounter","id":"\(encounterID)",\(reference),\(meta),"status":"finished",\
                    "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"\(kind)"},\
                    "period":{"start":"\(time)"},"serviceProvider":{"display":"\(provider)"}\(reasonCode)}
                    """.utf8))
            guard kind == "AMB" else { continue }
            // At a visit: haemoglobin at half of them, HbA1c for a diabetic, creatinine for the over-40s and heart
            // failure, cholesterol now and then.
            var labs: [(String, String, Double, String)] = []
            if random.chance(0.5) {
                let base = male ? 9.1 : 8.2
                labs.append(
                    (
                        "NPU02319", "Hæmoglobin;B", ((base + Double.random(in: -1.4...1.2, using: &random)) * 10).rounded() / 10,
                        "mmol/L"
                    ))
            }
            if conditions.contains(where: { $0.code == "DE11" }) {
                labs.append(("NPU27300", "Hæmoglobin A1c;B", (Double.random(in: 42...78, using: &random)).rounded(), "mmol/mol"))
            }
            if age >= 40 || conditions.contains(where: { $0.code == "DI50" }) {
                let base = male ? 85.0 : 70.0
                labs.append(("NPU18016", "Kreatinin;P", (base + Double.random(in: -20...60, using: &random)).rounded(), "umol/L"))
            }
            if age >= 30, random.chance(0.5) {
                labs.append(
                    ("NPU01566", "Kolesterol;P", (Double.random(in: 3.2...7.4, using: &random) * 10).rounded() / 10, "mmol/L"))
            }
            for (code, text, value, unit) in labs {
                try emit(
                    "Observation",
                    Array(
                        """
                        {"resourceType":"Observation","id":"\(nextID("co"))",\(reference),\(meta),"status":"final",\
                        "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],\
                        "code":{"coding":[{"system":"urn:oid:1.2.208.176.2.1","code":"\(code)","display":"\(text)"}]},\
                        "encounter":{"reference":"Encounter/\(encounterID)"},"effectiveDateTime":"\(time)",\
                        "valueQuantity":{"value":\(value),"unit":"\(unit)","system":"http://unitsofmeasure.org","code":"\(unit)"}}
                        """.utf8))
            }
        }
    }
}
