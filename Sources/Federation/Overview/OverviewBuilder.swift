import FHIR
import Foundation
import Words

/// Turns what the sources gave into a `PatientOverview`: items per section, duplicates across sources merged
/// (same code, same day), one timeline, trends per analysis, header flags. Pure: the same input gives the same
/// overview.
public enum OverviewBuilder {
    public static func build(cpr: String, results: [SourceResult], now: Date = Date()) -> PatientOverview {
        buildWithExpiry(cpr: cpr, results: results, now: now).overview
    }

    /// One source's part of an overview, made as soon as that source has answered (in its own task, while others
    /// are still being read), so that only merging and sorting are left for the moment the last source answers.
    struct PreparedSource: Sendable {
        var items: [OverviewItem] = []
        var samples: [TrendSample] = []
        /// The first upcoming appointment's start: the items are true until then.
        var validUntil = Date.distantFuture
    }

    static func prepare(_ result: SourceResult, now: Date) -> PreparedSource {
        var prepared = PreparedSource()
        prepared.items.reserveCapacity(result.resources.count)
        for fetched in result.resources {
            if case .appointment(let appointment) = fetched.resource, let start = appointment.start?.lowerBound,
                start > now
            {
                prepared.validUntil = min(prepared.validUntil, start)
            }
            guard let id = fetched.resource.id, let type = fetched.resource.resourceType else { continue }
            let origin = ItemSource(
                sourceID: result.source.id, sourceName: result.source.name, sector: result.source.sector,
                reference: "\(type)/\(id)", fetchedAt: fetched.fetchedAt)
            if case .observation(let observation) = fetched.resource, let sample = TrendSample(observation, origin) {
                prepared.samples.append(sample)
            }
            if let item = item(for: fetched.resource, origin: origin, now: now) { prepared.items.append(item) }
        }
        return prepared
    }

    /// The overview and how long it stays true for the same input: until the first upcoming appointment starts
    /// (it is "kommende" until then). Nothing else in it depends on the clock. `prepared` holds the sources' parts
    /// made beforehand with the same `now` (by position; a missing one is made here).
    static func buildWithExpiry(
        cpr: String, results: [SourceResult], prepared: [PreparedSource?] = [], now: Date
    ) -> (overview: PatientOverview, validUntil: Date) {
        var items: [OverviewItem] = []
        var samples: [TrendSample] = []
        var validUntil = Date.distantFuture
        for (index, result) in results.enumerated() {
            let part = (index < prepared.count ? prepared[index] : nil) ?? prepare(result, now: now)
            items += part.items
            samples += part.samples
            validUntil = min(validUntil, part.validUntil)
        }
        let merged = merge(items)
        // Sorted once (by index, so the large items are not moved around), then split into sections in that order.
        let timeline = sortedNewestFirst(merged)
        var bySection: [SectionKind: [OverviewItem]] = [:]
        for item in timeline { bySection[item.section, default: []].append(item) }
        let sections = SectionKind.allCases.map { kind in
            let items = bySection[kind] ?? []
            switch kind {
            case .appointments: return PatientOverview.Section(kind: kind, items: upcomingFirst(items, now: now))
            case .homeCare: return PatientOverview.Section(kind: kind, items: grantedFirst(items))
            case .medication: return PatientOverview.Section(kind: kind, items: cardFirst(items))
            default: return PatientOverview.Section(kind: kind, items: items)
            }
        }
        let patient = summary(results)
        let overview = PatientOverview(
            cpr: cpr, patient: patient, sections: sections, timeline: timeline,
            trends: trends(samples), sources: results.map(\.status), flags: flags(merged), assembledAt: now)
        return (overview, validUntil)
    }

    /// Medication as the medication card (FMK, a national source) has it first, each drug once with the sources that
    /// agree on it, then what only a local list holds (the GP's own). `items` are newest first and stay so in each part.
    static func cardFirst(_ items: [OverviewItem]) -> [OverviewItem] {
        let onCard = items.filter { $0.sources.contains { $0.sector == .national } }
        return onCard + items.filter { !$0.sources.contains { $0.sector == .national } }
    }

    /// Appointments as a clinician reads them: the next one first and the later ones after it, then the past ones,
    /// newest first. `items` are newest first.
    static func upcomingFirst(_ items: [OverviewItem], now: Date) -> [OverviewItem] {
        let split = items.firstIndex { ($0.date?.lowerBound ?? .distantPast) < now } ?? items.count
        return items[..<split].reversed() + items[split...]
    }

    /// Home care as a nurse reads it: the granted services (care plans) first, then the visits, notes and
    /// measurements; each part newest first. `items` are newest first.
    static func grantedFirst(_ items: [OverviewItem]) -> [OverviewItem] {
        items.filter { $0.resourceType == "CarePlan" } + items.filter { $0.resourceType != "CarePlan" }
    }

    static func sortedNewestFirst(_ items: [OverviewItem]) -> [OverviewItem] {
        let keys = items.map { ($0.date?.lowerBound, $0.date?.precision.rawValue ?? 0, $0.id) }
        let order = keys.indices.sorted { i, j in
            let a = keys[i]
            let b = keys[j]
            switch (a.0, b.0) {
            case (let x?, let y?):
                if x != y { return x > y }
                if a.1 != b.1 { return a.1 > b.1 }
                return a.2 < b.2
            case (nil, nil): return a.2 < b.2
            case (nil, _): return false
            case (_, nil): return true
            }
        }
        return order.map { items[$0] }
    }

    /// Items with the same section, code and day from different sources become one item with both sources.
    static func merge(_ items: [OverviewItem]) -> [OverviewItem] {
        var result: [OverviewItem] = []
        var index: [String: Int] = [:]
        for item in items {
            guard let code = item.code else {
                result.append(item)
                continue
            }
            let key: String
            switch item.section {
            case .allergies:
                // An allergy is the same allergy whenever it was recorded.
                key = "\(item.section.rawValue)|\(code)|\(item.resourceType)"
            case .medication:
                // A drug on the medication card and on the GP's own list is one drug when they agree on it (the same
                // ATC code, the same status), whenever each recorded it; the card's ordination leads.
                key = "\(item.section.rawValue)|\(code)|\(item.statusCode ?? "")"
            default:
                // Other things are the same on the same day.
                key = "\(item.section.rawValue)|\(code)|\(item.date?.datePart ?? "")|\(item.resourceType)"
            }
            if let existing = index[key],
                !result[existing].sources.contains(where: { $0.sourceID == item.sources.first?.sourceID })
            {
                if item.section == .medication, item.resourceType == "MedicationRequest",
                    result[existing].resourceType != "MedicationRequest"
                {
                    var lead = item
                    lead.sources += result[existing].sources
                    result[existing] = lead
                } else {
                    result[existing].sources += item.sources
                }
            } else {
                index[key] = result.count
                result.append(item)
            }
        }
        return result
    }

    static func line(_ text: String?) -> String? {
        guard let text else { return nil }
        let clean = TextSanitizer.cleanLine(text)
        return clean.isEmpty ? nil : clean
    }

    /// A source's own words as they are, or nil.
    static func verbatim(_ text: String?) -> Phrase? { line(text).map(Phrase.verbatim) }

    static func codeKey(_ concept: CodeableConcept?) -> String? { concept?.codeKey }

    /// "Name (code)": a title with the code it was recorded under.
    static func withCode(_ name: Phrase, _ code: String?) -> Phrase {
        guard let code = line(code) else { return name }
        return Phrase("item.with-code", ["name": .phrase(name), "code": .text(code)])
    }

    static func item(for resource: AnyResource, origin: ItemSource, now: Date) -> OverviewItem? {
        let id = "\(origin.sourceID)/\(origin.reference)"
        switch resource {
        case .condition(let c):
            let code = c.code?.coding?.first { $0.system == DanishSystems.sks }?.code ?? c.code?.coding?.first?.code
            let status = c.clinicalStatus?.coding?.first?.code
            return OverviewItem(
                id: id, section: .conditions, resourceType: "Condition", date: c.onset?.start ?? c.recordedDate,
                title: withCode(verbatim(c.code?.displayText) ?? Phrase("item.unknown-diagnosis"), code),
                detail: verbatim(c.note?.first?.text), status: CodePhrases.phrase("status.condition", status),
                statusCode: status, code: codeKey(c.code),
                text: c.note.map { $0.compactMap(\.text).map { TextSanitizer.clean($0) }.joined(separator: "\n") },
                sources: [origin])
        case .encounter(let e):
            let kind = CodePhrases.encounterClass(e.class?.code, display: e.class?.display)
            let title = line(e.serviceProvider?.display).map {
                Phrase("item.encounter", ["kind": .phrase(kind), "place": .text($0)])
            }
            var flag: Phrase?
            if e.status == "in-progress" {
                flag = Phrase(
                    e.class?.code == "EMER"
                        ? "flag.in-emergency-now" : (e.class?.code == "IMP" ? "flag.admitted-now" : "flag.ongoing-now"))
            }
            return OverviewItem(
                id: id, section: .encounters, resourceType: "Encounter", date: e.period?.start, title: title ?? kind,
                detail: verbatim(e.reasonCode?.first?.displayText),
                status: CodePhrases.phrase("status.encounter", e.status), statusCode: e.status, code: nil, flag: flag,
                sources: [origin])
        case .appointment(let a):
            let upcoming = a.start.map { $0.lowerBound > now } ?? false
            let title = verbatim(a.description) ?? verbatim(a.serviceType?.first?.displayText) ?? Phrase("item.appointment")
            let with = a.participant?.compactMap { $0.actor?.display }.first { !$0.contains("Test") }
            return OverviewItem(
                id: id, section: .appointments, resourceType: "Appointment", date: a.start, title: title,
                detail: line(with).map { Phrase("item.with-whom", ["who": .text($0)]) },
                status: CodePhrases.appointmentStatus(a.status, upcoming: upcoming), statusCode: a.status,
                code: nil, text: a.comment.map { TextSanitizer.clean($0) }, sources: [origin])
        case .communication(let c):
            let text = TextSanitizer.clean(c.text)
            let first = text.split(separator: "\n").first.map(String.init) ?? ""
            let category = line(c.category?.first?.displayText)
            let heading = TextSanitizer.cleanLine(first, maxLength: 200)
            let detail = [category, line(c.sender?.display)].compactMap { $0 }.joined(separator: " · ")
            return OverviewItem(
                id: id, section: .homeCare, resourceType: "Communication", date: c.sent ?? c.received,
                title: heading.isEmpty ? Phrase("item.note") : .verbatim(heading), detail: .verbatim(detail),
                status: nil, code: nil, text: text, sources: [origin])
        case .carePlan(let p):
            let what = verbatim(p.title) ?? verbatim(p.category?.first?.displayText) ?? Phrase("item.service")
            return OverviewItem(
                id: id, section: .homeCare, resourceType: "CarePlan", date: p.period?.start ?? p.created,
                title: Phrase("item.granted", ["service": .phrase(what)]),
                detail: verbatim(p.description), status: CodePhrases.phrase("status.careplan", p.status),
                statusCode: p.status, code: nil, text: p.description.map { TextSanitizer.clean($0) }, sources: [origin])
        case .medicationStatement(let m):
            let name = verbatim(m.medicationName) ?? Phrase("item.unknown-drug")
            let atc = m.medicationCodeableConcept?.coding(in: DanishSystems.atc)?.code
            return OverviewItem(
                id: id, section: .medication, resourceType: "MedicationStatement", date: m.effective?.start ?? m.dateAsserted,
                title: withCode(name, atc), detail: verbatim(m.dosage?.first?.text),
                status: CodePhrases.phrase("status.medication", m.status), statusCode: m.status,
                code: codeKey(m.medicationCodeableConcept),
                text: m.note?.compactMap(\.text).map { TextSanitizer.clean($0) }.joined(separator: "\n"), sources: [origin])
        case .medicationRequest(let m):
            // An ordination on the medication card: the dosage, and who ordered it.
            let name = verbatim(m.medicationName) ?? Phrase("item.unknown-drug")
            let atc = m.medicationCodeableConcept?.coding(in: DanishSystems.atc)?.code
            var detail = verbatim(m.dosageInstruction?.first?.text)
            if let by = verbatim(m.requester?.display) {
                detail = Phrase("item.ordered-by", ["dosage": .phrase(detail ?? Phrase("item.no-dosage")), "by": .phrase(by)])
            }
            return OverviewItem(
                id: id, section: .medication, resourceType: "MedicationRequest", date: m.period?.start ?? m.authoredOn,
                title: withCode(name, atc), detail: detail,
                status: CodePhrases.phrase("status.medication-request", m.status), statusCode: m.status,
                code: codeKey(m.medicationCodeableConcept),
                text: m.note?.compactMap(\.text).map { TextSanitizer.clean($0) }.joined(separator: "\n"), sources: [origin])
        case .immunization(let v):
            let name = verbatim(v.vaccineCode?.displayText) ?? Phrase("item.vaccine")
            let atc = v.vaccineCode?.coding(in: DanishSystems.atc)?.code
            let by = verbatim(v.performer?.first?.actor?.display)
            let lot = line(v.lotNumber)
            let detail: Phrase? =
                switch (lot, by) {
                case (let lot?, let by?): Phrase("item.vaccination-lot-by", ["lot": .text(lot), "by": .phrase(by)])
                case (let lot?, nil): Phrase("item.vaccination-lot", ["lot": .text(lot)])
                case (nil, let by): by
                }
            return OverviewItem(
                id: id, section: .vaccinations, resourceType: "Immunization", date: v.occurrenceDateTime ?? v.recorded,
                title: withCode(name, atc), detail: detail,
                status: CodePhrases.phrase("status.immunization", v.status), statusCode: v.status, code: nil,
                text: v.note?.compactMap(\.text).map { TextSanitizer.clean($0) }.joined(separator: "\n"), sources: [origin])
        case .observation(let o):
            let laboratory =
                o.category?.contains { $0.contains(system: HL7Systems.observationCategory, code: "laboratory") } ?? false
            let title = verbatim(o.code?.displayText) ?? Phrase("item.measurement")
            let value = observationValue(o)
            let interpretation = o.interpretation?.first?.coding?.first?.code
            var detail = value
            if let range = o.referenceRange?.first, let text = referenceText(range) {
                detail = Phrase("lab.value-with-range", ["value": .phrase(value), "range": .phrase(text)])
            }
            return OverviewItem(
                id: id, section: laboratory ? .labs : .homeCare, resourceType: "Observation",
                date: o.effective?.start ?? o.issued, title: title, detail: detail,
                status: CodePhrases.phrase("status.observation", o.status), statusCode: o.status, code: codeKey(o.code),
                flag: CodePhrases.interpretation(interpretation), sources: [origin])
        case .documentReference(let d):
            let title = verbatim(d.description) ?? verbatim(d.type?.displayText) ?? Phrase("item.document")
            return OverviewItem(
                id: id, section: .documents, resourceType: "DocumentReference", date: d.date ?? d.context?.period?.end,
                title: title, detail: verbatim(d.author?.compactMap(\.display).joined(separator: ", ")),
                status: CodePhrases.phrase("status.document", d.status), statusCode: d.status, code: nil,
                text: d.attachedText.map { TextSanitizer.clean($0) }, sources: [origin])
        case .allergyIntolerance(let a):
            let substance = verbatim(a.code?.displayText) ?? Phrase("item.unknown-substance")
            let reaction = verbatim(a.reaction?.first?.description ?? a.reaction?.first?.manifestation?.first?.displayText)
            let status = a.clinicalStatus?.coding?.first?.code
            return OverviewItem(
                id: id, section: .allergies, resourceType: "AllergyIntolerance", date: a.recordedDate ?? a.onset?.start,
                title: substance, detail: reaction, status: CodePhrases.phrase("status.allergy", status), statusCode: status,
                code: codeKey(a.code), flag: a.criticality == "high" ? Phrase("flag.high-criticality") : nil, sources: [origin])
        default:
            return nil
        }
    }

    /// "< 3,9 mmol/L", "120/80 mmHg", the source's coded value, or why there is none: numbers stay numbers, for the
    /// edge to write with the language's decimal mark.
    static func observationValue(_ o: Observation) -> Phrase {
        if let quantity = o.valueQuantity, let number = quantity.value {
            let unit = (quantity.unit ?? quantity.code).map(ObservationValueFormat.unit) ?? ""
            return Phrase(
                unit.isEmpty ? "lab.quantity-no-unit" : "lab.quantity",
                [
                    "comparator": .text(TextSanitizer.cleanLine(quantity.comparator ?? "", maxLength: 2)),
                    "value": .decimal(number),
                    "unit": .text(unit),
                ])
        }
        if let value = o.value { return .verbatim(TextSanitizer.cleanLine(value.displayText)) }
        let components = (o.component ?? []).compactMap { $0.value?.numericValue }
        if components.count == 2, let unit = o.component?.first?.valueQuantity?.unit {
            return Phrase(
                "lab.pair",
                [
                    "first": .decimal(components[0]), "second": .decimal(components[1]),
                    "unit": .text(ObservationValueFormat.unit(unit)),
                ])
        }
        return verbatim(o.dataAbsentReason?.displayText) ?? Phrase("lab.no-value")
    }

    static func referenceText(_ range: Observation.ReferenceRange) -> Phrase? {
        if let text = range.text { return verbatim(text) }
        switch (range.low?.value, range.high?.value) {
        case (let low?, let high?): return Phrase("lab.range", ["low": .decimal(low), "high": .decimal(high)])
        case (nil, let high?): return Phrase("lab.range-below", ["high": .decimal(high)])
        case (let low?, nil): return Phrase("lab.range-above", ["low": .decimal(low)])
        default: return nil
        }
    }

    /// What a trend needs of one observation (copying whole Observations around is what made this slow).
    struct TrendSample: Sendable {
        let code: String
        let title: String?
        let unit: String?
        let date: FHIRDateTime
        let value: Double
        let flag: String?
        let low: Double?
        let high: Double?
        let sourceID: String

        init?(_ observation: Observation, _ origin: ItemSource) {
            guard let code = OverviewBuilder.codeKey(observation.code),
                let value = observation.valueQuantity?.value ?? observation.valueInteger.map(Double.init),
                let date = observation.effectiveDateTime ?? observation.effectiveInstant ?? observation.effectivePeriod?.start
            else { return nil }
            self.code = code
            self.title = observation.code?.displayText
            self.unit = observation.valueQuantity.flatMap { $0.unit ?? $0.code }.map(ObservationValueFormat.unit)
            self.date = date
            self.value = value
            self.flag = observation.interpretation?.first?.coding?.first?.code.flatMap {
                ["H", "L", "HH", "LL"].contains($0) ? $0 : nil
            }
            self.low = observation.referenceRange?.first?.low?.value
            self.high = observation.referenceRange?.first?.high?.value
            self.sourceID = origin.sourceID
        }
    }

    static func trends(_ samples: [TrendSample]) -> [Trend] {
        var groups: [String: [TrendSample]] = [:]
        for sample in samples { groups[sample.code, default: []].append(sample) }
        return groups.map { key, members in
            let sorted = members.sorted { $0.date < $1.date }
            let latest = sorted.last!
            let range = sorted.last { $0.low != nil || $0.high != nil }
            return Trend(
                code: key, title: line(latest.title) ?? key, unit: line(latest.unit), referenceLow: range?.low,
                referenceHigh: range?.high,
                points: sorted.map { Trend.Point(date: $0.date, value: $0.value, flag: $0.flag, sourceID: $0.sourceID) })
        }.sorted { $0.title < $1.title }
    }

    static func flags(_ items: [OverviewItem]) -> [Phrase] {
        var flags: [Phrase] = []
        let allergies = items.filter { $0.section == .allergies && $0.statusCode != "resolved" }.map(\.title)
        var seen = Set<Phrase>()
        let unique = allergies.filter { seen.insert($0).inserted }
        if !unique.isEmpty { flags.append(Phrase("flag.allergies", ["list": .list(unique)])) }
        for item in items where item.section == .encounters {
            if let flag = item.flag { flags.append(Phrase("flag.where", ["flag": .phrase(flag), "where": .phrase(item.title)])) }
        }
        return flags
    }

    /// The demographics of the fullest Patient record; ties go to the first source in the registry.
    static func summary(_ results: [SourceResult]) -> PatientSummary? {
        var best: (Patient, SourceDefinition, Int)?
        for result in results {
            for patient in result.patients {
                let score = [
                    patient.name?.isEmpty == false, patient.birthDate != nil, patient.address?.isEmpty == false,
                    patient.telecom?.isEmpty == false, patient.generalPractitioner?.isEmpty == false, patient.gender != nil,
                ].filter { $0 }.count
                if best == nil || score > best!.2 { best = (patient, result.source, score) }
            }
        }
        guard let (patient, source, _) = best else { return nil }
        let address = patient.address?.first { $0.use == "home" } ?? patient.address?.first
        let municipality = address?.municipalityCode
        return PatientSummary(
            name: line(patient.preferredName?.displayName), birthDate: patient.birthDate, gender: patient.gender,
            address: address.flatMap { line($0.displayText) }, municipalityCode: municipality,
            municipalityName: municipality.flatMap(MunicipalityCodes.name),
            phone: line(patient.telecom?.first { $0.system == "phone" }?.value),
            generalPractitioner: line(patient.generalPractitioner?.first?.display), sourceID: source.id)
    }
}

/// Units as clinicians read them (numbers are written by the catalog of the UI's language, `Catalog.number`).
public enum ObservationValueFormat {
    /// A unit as people read it: UCUM writes micro as `u` ("umol/L", "ug/L", "uL", "uU/mL"), a clinician reads
    /// "µmol/L"; sanitized.
    public static func unit(_ raw: String) -> String {
        let clean = TextSanitizer.cleanLine(raw)
        guard clean.hasPrefix("u"), let next = clean.dropFirst().first, "mgLlUs".contains(next) else { return clean }
        return "µ" + clean.dropFirst()
    }
}
