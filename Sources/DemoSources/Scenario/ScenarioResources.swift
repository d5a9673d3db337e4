import FHIR
import Foundation

/// Builders for the resources the scenario creates, in the same shape as `demo-data/` (see the generator).
enum ScenarioResources {
    static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    static let ucum = "http://unitsofmeasure.org"

    struct Department {
        let id: String
        let sor: String
        let name: String

        static let akut = Department(id: "org-hgh-akut", sor: "953741000016013", name: "Akutmodtagelsen, Herlev")
        static let lunge = Department(id: "org-hgh-lunge", sor: "953741000016039", name: "Lungemedicinsk afdeling, Gentofte")
        static let medicin = Department(id: "org-hgh-med", sor: "953741000016063", name: "Medicinsk afdeling, Herlev")
        static let lab = Department(id: "org-hgh-lab", sor: "953741000016098", name: "Klinisk Biokemisk Afdeling, Herlev")
        static let hospital = Department(id: "org-hgh", sor: "953741000016005", name: "Herlev og Gentofte Hospital")

        var reference: JSONValue {
            .object([
                "reference": .string("Organization/\(id)"),
                "identifier": .object(["system": .string(DanishSystems.sor), "value": .string(sor)]),
                "display": .string(name),
            ])
        }
    }

    static func time(_ date: Date) -> JSONValue { .string(FHIRDateTime(date: date).text) }

    static func coding(_ system: String, _ code: String, _ display: String) -> JSONValue {
        .object(["coding": .array([.object(["system": .string(system), "code": .string(code), "display": .string(display)])])])
    }

    static func patientReference(_ id: String, name: String) -> JSONValue {
        .object(["reference": .string("Patient/\(id)"), "display": .string(name)])
    }

    static func encounter(
        id: String, patient: String, name: String, encounterClass: String, status: String, department: Department,
        start: Date, end: Date? = nil, reason: (code: String, display: String)
    ) -> JSONValue {
        let classDisplay = ["EMER": "emergency", "IMP": "inpatient encounter"][encounterClass] ?? encounterClass
        let type = encounterClass == "EMER" ? ("ALCA00", "Akut patientkontakt") : ("ALCA10", "Indlæggelse")
        var period: JSONObject = ["start": time(start)]
        if let end { period["end"] = time(end) }
        var resource: JSONObject = [
            "resourceType": .string("Encounter"),
            "id": .string(id),
            "identifier": .array([
                .object([
                    "system": .string("https://demo.sundhedscloud.dk/NamingSystem/region-h-kontakt"),
                    "value": .string(id.uppercased()),
                ])
            ]),
            "status": .string(status),
            "class": .object([
                "system": .string(actCode), "code": .string(encounterClass), "display": .string(classDisplay),
            ]),
            "type": .array([coding(DanishSystems.sks, type.0, type.1)]),
            "subject": patientReference(patient, name: name),
            "period": .object(period),
            "serviceProvider": department.reference,
            "reasonCode": .array([coding(DanishSystems.sks, reason.code, reason.display)]),
        ]
        if status == "finished", encounterClass == "IMP" {
            resource["hospitalization"] = .object([
                "dischargeDisposition": .object([
                    "coding": .array([
                        .object([
                            "system": .string("http://terminology.hl7.org/CodeSystem/discharge-disposition"),
                            "code": .string("home"), "display": .string("Home"),
                        ])
                    ]),
                    "text": .string("Udskrevet til eget hjem"),
                ])
            ])
        }
        return .object(resource)
    }

    struct LabTest {
        let code: String
        let display: String
        let unit: String
        let low: Double?
        let high: Double?

        static let crp = LabTest(code: "NPU19748", display: "C-reaktivt protein;P", unit: "mg/L", low: nil, high: 8)
        static let hb = LabTest(code: "NPU02319", display: "Hæmoglobin;B", unit: "mmol/L", low: 8.3, high: 10.5)
        static let krea = LabTest(code: "NPU18016", display: "Kreatinin;P", unit: "umol/L", low: 60, high: 105)
    }

    static func lab(
        id: String, patient: String, name: String, test: LabTest, value: Double, at date: Date, encounter: String
    )
        -> JSONValue
    {
        let interpretation =
            test.high.map { value > $0 } == true
            ? ("H", "High") : (test.low.map { value < $0 } == true ? ("L", "Low") : ("N", "Normal"))
        var range: JSONObject = [:]
        func quantity(_ number: Double) -> JSONValue {
            .object([
                "value": .number(number), "unit": .string(test.unit), "system": .string(ucum), "code": .string(test.unit),
            ])
        }
        if let low = test.low { range["low"] = quantity(low) }
        if let high = test.high { range["high"] = quantity(high) }
        return .object([
            "resourceType": .string("Observation"),
            "id": .string(id),
            "status": .string("final"),
            "category": .array([
                coding("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
            ]),
            "code": coding(DanishSystems.npu, test.code, test.display),
            "subject": patientReference(patient, name: name),
            "encounter": .object(["reference": .string("Encounter/\(encounter)")]),
            "effectiveDateTime": time(date.addingTimeInterval(-1800)),
            "issued": time(date),
            "valueQuantity": quantity(value),
            "interpretation": .array([
                coding(
                    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", interpretation.0,
                    interpretation.1)
            ]),
            "referenceRange": .array([.object(range)]),
            "performer": .array([Department.lab.reference]),
        ])
    }

    static func dischargeLetter(
        id: String, patient: String, name: String, cpr: String, encounter: String, admitted: Date, discharged: Date
    ) -> JSONValue {
        let day = DateFormatter()
        day.dateFormat = "dd.MM.yyyy"
        day.timeZone = FHIRDateTime.danishTimeZone
        let text = """
            EPIKRISE

            \(Department.lunge.name)
            Patient: \(name), CPR \(cpr.prefix(6))-\(cpr.suffix(4))
            Indlagt: \(day.string(from: admitted))  Udskrevet: \(day.string(from: discharged))

            Diagnose: KOL med akut eksacerbation (DJ441)

            Forløb: Indlagt via akutmodtagelsen med tiltagende åndenød og hoste. CRP 142. Behandlet med \
            prednisolon og inhalationer med god effekt; CRP faldende. Orlov en eftermiddag uden problemer.

            Medicin ved udskrivelse: prednisolon 37,5 mg dagligt i 5 dage, derefter pause.

            Opfølgning: Egen læge kontrollerer om en uge. Hjemmesygeplejen er orienteret.

            Med venlig hilsen
            Jonas Brøndsted, afdelingslæge
            """
        return .object([
            "resourceType": .string("DocumentReference"),
            "id": .string(id),
            "status": .string("current"),
            "docStatus": .string("final"),
            "type": coding("http://loinc.org", "18842-5", "Discharge summary"),
            "subject": patientReference(patient, name: name),
            "date": time(discharged),
            "author": .array([Department.lunge.reference]),
            "custodian": Department.hospital.reference,
            "description": .string("Epikrise: KOL med akut eksacerbation"),
            "content": .array([
                .object([
                    "attachment": .object([
                        "contentType": .string("text/plain; charset=utf-8"), "language": .string("da"),
                        "data": .string(Data(text.utf8).base64EncodedString()),
                        "title": .string("Epikrise \(day.string(from: discharged))"), "creation": time(discharged),
                    ])
                ])
            ]),
            "context": .object([
                "encounter": .array([.object(["reference": .string("Encounter/\(encounter)")])]),
                "period": .object(["start": time(admitted), "end": time(discharged)]),
            ]),
        ])
    }

    static func homeCareNote(id: String, patient: String, name: String, text: String, at date: Date) -> JSONValue {
        .object([
            "resourceType": .string("Communication"),
            "id": .string(id),
            "status": .string("completed"),
            "category": .array([
                coding(
                    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes", "nursing",
                    "Sygepleje")
            ]),
            "subject": patientReference(patient, name: name),
            "sent": time(date),
            "sender": .object([
                "reference": .string("Practitioner/prac-n1"), "display": .string("Lone Bækgaard"),
                "identifier": .object(["system": .string(DanishSystems.sor), "value": .string("612301000016002")]),
            ]),
            "payload": .array([.object(["contentString": .string(text)])]),
        ])
    }

    static func appointment(id: String, patient: String, name: String, start: Date, created: Date) -> JSONValue {
        .object([
            "resourceType": .string("Appointment"),
            "id": .string(id),
            "status": .string("booked"),
            "serviceType": .array([
                coding("https://demo.sundhedscloud.dk/CodeSystem/konsultationstyper", "KONS", "Konsultation")
            ]),
            "description": .string("Kontrol efter indlæggelse (KOL)"),
            "start": time(start),
            "end": time(start.addingTimeInterval(15 * 60)),
            "minutesDuration": .number(15),
            "created": time(created),
            "participant": .array([
                .object([
                    "actor": patientReference(patient, name: name), "required": .string("required"),
                    "status": .string("accepted"),
                ]),
                .object([
                    "actor": .object([
                        "reference": .string("Practitioner/prac-gp1"), "display": .string("Hanne Østergaard"),
                        "identifier": .object(["system": .string(DanishSystems.ydernummer), "value": .string("046781")]),
                    ]),
                    "required": .string("required"), "status": .string("accepted"),
                ]),
            ]),
        ])
    }
}
