/// A model that reads itself straight from a parsed JSON object, without Codable's containers.
///
/// The federated client decodes every page it fetches; through `Decodable` each nested object costs a decoder, a
/// boxed container and generic metadata lookups, which made decoding twice as costly as parsing. The models that
/// make up almost every page (Bundle and the clinical resources the overview shows, with their datatypes) read themselves
/// field by field instead. The rules are `JSONValueDecoder`'s (missing or `null` is nil, no type coercion,
/// integers whole and in range, unknown members ignored). A reader only says *that* the JSON does not fit
/// (`JSONReadFailure`); the caller then decodes the same value through Codable, which says exactly where and why,
/// so errors are the same as before. `JSONValueReadableTests` checks both paths give the same model for every
/// demo resource and the same verdict for broken ones.
public protocol JSONValueReadable: Decodable {
    init(reading object: JSONObjectReader) throws
}

/// The JSON does not fit the model; decode through Codable to learn where.
public struct JSONReadFailure: Error {
    public init() {}
}

/// The members of one JSON object, read by type. Every accessor returns nil for a missing or `null` member and
/// throws `JSONReadFailure` for a member of the wrong type.
public struct JSONObjectReader {
    public let members: JSONObject

    public init(_ members: JSONObject) {
        self.members = members
    }

    @inline(__always) func present(_ key: String) -> JSONValue? {
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    public func string(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw JSONReadFailure() }
        return text
    }

    /// A member that must be there (a non-optional property).
    public func requiredString(_ key: String) throws -> String {
        guard let value = members[key], case .string(let text) = value else {
            throw JSONReadFailure()
        }
        return text
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let value = present(key) else { return nil }
        guard case .bool(let flag) = value else { throw JSONReadFailure() }
        return flag
    }

    public func double(_ key: String) throws -> Double? {
        guard let value = present(key) else { return nil }
        guard case .number(let number) = value else { throw JSONReadFailure() }
        return number
    }

    public func int(_ key: String) throws -> Int? {
        guard let value = present(key) else { return nil }
        guard case .number(let number) = value, let integer = Int(exactly: number) else { throw JSONReadFailure() }
        return integer
    }

    public func dateTime(_ key: String) throws -> FHIRDateTime? {
        guard let text = try string(key) else { return nil }
        do {
            return try FHIRDateTime(text)
        } catch {
            throw JSONReadFailure()
        }
    }

    public func strings(_ key: String) throws -> [String]? {
        guard let value = present(key) else { return nil }
        guard case .array(let values) = value else { throw JSONReadFailure() }
        return try values.map { element in
            guard case .string(let text) = element else { throw JSONReadFailure() }
            return text
        }
    }

    /// A member kept as JSON.
    public func json(_ key: String) -> JSONValue? {
        present(key)
    }

    public func read<T: JSONValueReadable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        guard let value = present(key) else { return nil }
        guard case .object(let members) = value else { throw JSONReadFailure() }
        return try T(reading: JSONObjectReader(members))
    }

    public func readArray<T: JSONValueReadable>(_ key: String, of type: T.Type = T.self) throws -> [T]? {
        guard let value = present(key) else { return nil }
        guard case .array(let values) = value else { throw JSONReadFailure() }
        var result: [T] = []
        result.reserveCapacity(values.count)
        for element in values {
            guard case .object(let members) = element else { throw JSONReadFailure() }
            result.append(try T(reading: JSONObjectReader(members)))
        }
        return result
    }

    /// A member of a type without its own reader, through Codable.
    public func decode<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        guard let value = present(key) else { return nil }
        do {
            return try JSONValueDecoder.decode(T.self, from: value)
        } catch {
            throw JSONReadFailure()
        }
    }
}

extension JSONValueReadable {
    /// Reads `value` with the model's own reader; nil when it does not fit (the caller decodes through Codable).
    package static func read(_ value: JSONValue) -> Self? {
        guard case .object(let members) = value else { return nil }
        return try? Self(reading: JSONObjectReader(members))
    }
}

// MARK: - Datatypes

extension Coding: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(system: try o.string("system"), code: try o.string("code"), display: try o.string("display"))
        version = try o.string("version")
        userSelected = try o.bool("userSelected")
    }
}

extension CodeableConcept: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(coding: try o.readArray("coding"), text: try o.string("text"))
    }
}

extension Reference: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(reference: try o.string("reference"), identifier: try o.read("identifier"), display: try o.string("display"))
        type = try o.string("type")
    }
}

extension Identifier: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(system: try o.string("system"), value: try o.string("value"))
        use = try o.string("use")
        type = try o.read("type")
        period = try o.read("period")
    }
}

extension Quantity: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(
            value: try o.double("value"), unit: try o.string("unit"), system: try o.string("system"), code: try o.string("code"))
        comparator = try o.string("comparator")
    }
}

extension Period: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(start: try o.dateTime("start"), end: try o.dateTime("end"))
    }
}

extension Range: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(low: try o.read("low"), high: try o.read("high"))
    }
}

extension Ratio: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        numerator = try o.read("numerator")
        denominator = try o.read("denominator")
    }
}

extension Meta: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(versionId: try o.string("versionId"), lastUpdated: try o.dateTime("lastUpdated"))
        source = try o.string("source")
        profile = try o.strings("profile")
        security = try o.readArray("security")
        tag = try o.readArray("tag")
    }
}

extension Annotation: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(text: try o.string("text"))
        authorReference = try o.read("authorReference")
        authorString = try o.string("authorString")
        time = try o.dateTime("time")
    }
}

extension Attachment: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        contentType = try o.string("contentType")
        language = try o.string("language")
        data = try o.string("data")
        url = try o.string("url")
        size = try o.int("size")
        hash = try o.string("hash")
        title = try o.string("title")
        creation = try o.dateTime("creation")
    }
}

// MARK: - Bundle and the resource switch

extension Bundle: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(type: try o.string("type"))
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.read("identifier")
        timestamp = try o.dateTime("timestamp")
        total = try o.int("total")
        link = try o.readArray("link")
        entry = try o.readArray("entry")
    }
}

extension Bundle.Link: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(relation: try o.requiredString("relation"), url: try o.requiredString("url"))
    }
}

extension Bundle.Entry: JSONValueReadable {
    /// A resource that does not read is handed back to Codable (for the whole page), so the entry's `.unreadable`
    /// reason carries its full path (`entry[3].resource.status: ...`) as before.
    public init(reading o: JSONObjectReader) throws {
        self.init(fullUrl: try? o.string("fullUrl"))
        search = try? o.read("search", as: Bundle.Search.self)
        request = try? o.decode("request", as: Bundle.Request.self)
        response = try? o.decode("response", as: Bundle.Response.self)
        if let value = o.members["resource"] {
            guard let fast = AnyResource.read(value) else { throw JSONReadFailure() }
            resource = fast
        }
    }
}

extension Bundle.Search: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(mode: try o.string("mode"))
        score = try o.double("score")
    }
}

extension AnyResource: JSONValueReadable {
    /// The types that fill almost every page read themselves; the rest go through Codable.
    public init(reading o: JSONObjectReader) throws {
        let type = try o.requiredString("resourceType")
        switch type {
        case Observation.resourceType: self = .observation(try Observation(reading: o))
        case Communication.resourceType: self = .communication(try Communication(reading: o))
        case Encounter.resourceType: self = .encounter(try Encounter(reading: o))
        case Bundle.resourceType: self = .bundle(try Bundle(reading: o))
        case Condition.resourceType: self = .condition(try Condition(reading: o))
        case Appointment.resourceType: self = .appointment(try Appointment(reading: o))
        case MedicationStatement.resourceType: self = .medicationStatement(try MedicationStatement(reading: o))
        case MedicationRequest.resourceType: self = .medicationRequest(try MedicationRequest(reading: o))
        case MedicationDispense.resourceType: self = .medicationDispense(try MedicationDispense(reading: o))
        case Immunization.resourceType: self = .immunization(try Immunization(reading: o))
        case AllergyIntolerance.resourceType: self = .allergyIntolerance(try AllergyIntolerance(reading: o))
        case CarePlan.resourceType: self = .carePlan(try CarePlan(reading: o))
        case DocumentReference.resourceType: self = .documentReference(try DocumentReference(reading: o))
        default:
            do {
                self = try JSONValueDecoder.decodeWithCodable(AnyResource.self, from: .object(o.members), readers: true)
            } catch {
                throw JSONReadFailure()
            }
        }
    }
}

// MARK: - Resources

extension Observation: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        category = try o.readArray("category")
        code = try o.read("code")
        subject = try o.read("subject")
        encounter = try o.read("encounter")
        effectiveDateTime = try o.dateTime("effectiveDateTime")
        effectivePeriod = try o.read("effectivePeriod")
        effectiveInstant = try o.dateTime("effectiveInstant")
        issued = try o.dateTime("issued")
        performer = try o.readArray("performer")
        valueQuantity = try o.read("valueQuantity")
        valueCodeableConcept = try o.read("valueCodeableConcept")
        valueString = try o.string("valueString")
        valueBoolean = try o.bool("valueBoolean")
        valueInteger = try o.int("valueInteger")
        valueRange = try o.read("valueRange")
        valueRatio = try o.read("valueRatio")
        valueTime = try o.string("valueTime")
        valueDateTime = try o.dateTime("valueDateTime")
        valuePeriod = try o.read("valuePeriod")
        dataAbsentReason = try o.read("dataAbsentReason")
        interpretation = try o.readArray("interpretation")
        note = try o.readArray("note")
        referenceRange = try o.readArray("referenceRange")
        component = try o.readArray("component")
    }
}

extension Observation.ReferenceRange: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(low: try o.read("low"), high: try o.read("high"))
        type = try o.read("type")
        text = try o.string("text")
    }
}

extension Observation.Component: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(
            code: try o.read("code"), valueQuantity: try o.read("valueQuantity"),
            valueCodeableConcept: try o.read("valueCodeableConcept"), valueString: try o.string("valueString"),
            valueBoolean: try o.bool("valueBoolean"), valueInteger: try o.int("valueInteger"),
            valueRange: try o.read("valueRange"), valueRatio: try o.read("valueRatio"),
            valueTime: try o.string("valueTime"), valueDateTime: try o.dateTime("valueDateTime"),
            valuePeriod: try o.read("valuePeriod"), interpretation: try o.readArray("interpretation"),
            referenceRange: try o.readArray("referenceRange"))
    }
}

extension Communication: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        category = try o.readArray("category")
        priority = try o.string("priority")
        subject = try o.read("subject")
        topic = try o.read("topic")
        encounter = try o.read("encounter")
        sent = try o.dateTime("sent")
        received = try o.dateTime("received")
        recipient = try o.readArray("recipient")
        sender = try o.read("sender")
        payload = try o.readArray("payload")
        note = try o.readArray("note")
    }
}

extension Communication.Payload: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(contentString: try o.string("contentString"))
        contentAttachment = try o.read("contentAttachment")
        contentReference = try o.read("contentReference")
    }
}

extension Encounter: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        `class` = try o.read("class")
        type = try o.readArray("type")
        serviceType = try o.read("serviceType")
        priority = try o.read("priority")
        subject = try o.read("subject")
        episodeOfCare = try o.readArray("episodeOfCare")
        participant = try o.readArray("participant")
        period = try o.read("period")
        reasonCode = try o.readArray("reasonCode")
        diagnosis = try o.readArray("diagnosis")
        hospitalization = try o.read("hospitalization")
        location = try o.readArray("location")
        serviceProvider = try o.read("serviceProvider")
    }
}

extension Encounter.Participant: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(type: try o.readArray("type"), period: try o.read("period"), individual: try o.read("individual"))
    }
}

extension Encounter.Diagnosis: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(condition: try o.read("condition"), use: try o.read("use"), rank: try o.int("rank"))
    }
}

extension Encounter.Hospitalization: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(admitSource: try o.read("admitSource"), dischargeDisposition: try o.read("dischargeDisposition"))
    }
}

extension Encounter.Location: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(location: try o.read("location"), status: try o.string("status"), period: try o.read("period"))
    }
}

extension Condition: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        clinicalStatus = try o.read("clinicalStatus")
        verificationStatus = try o.read("verificationStatus")
        category = try o.readArray("category")
        severity = try o.read("severity")
        code = try o.read("code")
        bodySite = try o.readArray("bodySite")
        subject = try o.read("subject")
        encounter = try o.read("encounter")
        onsetDateTime = try o.dateTime("onsetDateTime")
        onsetAge = try o.read("onsetAge")
        onsetPeriod = try o.read("onsetPeriod")
        onsetRange = try o.read("onsetRange")
        onsetString = try o.string("onsetString")
        abatementDateTime = try o.dateTime("abatementDateTime")
        abatementAge = try o.read("abatementAge")
        abatementPeriod = try o.read("abatementPeriod")
        abatementRange = try o.read("abatementRange")
        abatementString = try o.string("abatementString")
        recordedDate = try o.dateTime("recordedDate")
        recorder = try o.read("recorder")
        asserter = try o.read("asserter")
        note = try o.readArray("note")
    }
}

extension Appointment: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        cancelationReason = try o.read("cancelationReason")
        serviceCategory = try o.readArray("serviceCategory")
        serviceType = try o.readArray("serviceType")
        appointmentType = try o.read("appointmentType")
        reasonCode = try o.readArray("reasonCode")
        description = try o.string("description")
        start = try o.dateTime("start")
        end = try o.dateTime("end")
        minutesDuration = try o.int("minutesDuration")
        created = try o.dateTime("created")
        comment = try o.string("comment")
        patientInstruction = try o.string("patientInstruction")
        participant = try o.readArray("participant")
    }
}

extension Appointment.Participant: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(actor: try o.read("actor"), status: try o.string("status"))
        type = try o.readArray("type")
        required = try o.string("required")
    }
}

extension MedicationStatement: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        statusReason = try o.readArray("statusReason")
        category = try o.read("category")
        medicationCodeableConcept = try o.read("medicationCodeableConcept")
        medicationReference = try o.read("medicationReference")
        subject = try o.read("subject")
        context = try o.read("context")
        effectiveDateTime = try o.dateTime("effectiveDateTime")
        effectivePeriod = try o.read("effectivePeriod")
        dateAsserted = try o.dateTime("dateAsserted")
        informationSource = try o.read("informationSource")
        reasonCode = try o.readArray("reasonCode")
        note = try o.readArray("note")
        dosage = try o.readArray("dosage")
    }
}

extension MedicationRequest: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        intent = try o.string("intent")
        medicationCodeableConcept = try o.read("medicationCodeableConcept")
        medicationReference = try o.read("medicationReference")
        subject = try o.read("subject")
        authoredOn = try o.dateTime("authoredOn")
        requester = try o.read("requester")
        reasonCode = try o.readArray("reasonCode")
        note = try o.readArray("note")
        dosageInstruction = try o.readArray("dosageInstruction")
        dispenseRequest = try o.read("dispenseRequest")
    }
}

extension MedicationRequest.DispenseRequest: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(validityPeriod: try o.read("validityPeriod"))
    }
}

extension MedicationDispense: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        medicationCodeableConcept = try o.read("medicationCodeableConcept")
        medicationReference = try o.read("medicationReference")
        subject = try o.read("subject")
        authorizingPrescription = try o.readArray("authorizingPrescription")
        performer = try o.readArray("performer")
        quantity = try o.read("quantity")
        whenHandedOver = try o.dateTime("whenHandedOver")
        dosageInstruction = try o.readArray("dosageInstruction")
    }
}

extension Immunization: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        vaccineCode = try o.read("vaccineCode")
        patient = try o.read("patient")
        occurrenceDateTime = try o.dateTime("occurrenceDateTime")
        occurrenceString = try o.string("occurrenceString")
        recorded = try o.dateTime("recorded")
        primarySource = try o.bool("primarySource")
        lotNumber = try o.string("lotNumber")
        route = try o.read("route")
        performer = try o.readArray("performer")
        note = try o.readArray("note")
    }
}

extension Immunization.Performer: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(actor: try o.read("actor"))
        function = try o.read("function")
    }
}

extension Dosage: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(text: try o.string("text"))
        sequence = try o.int("sequence")
        patientInstruction = try o.string("patientInstruction")
        asNeededBoolean = try o.bool("asNeededBoolean")
        route = try o.read("route")
    }
}

extension AllergyIntolerance: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        clinicalStatus = try o.read("clinicalStatus")
        verificationStatus = try o.read("verificationStatus")
        type = try o.string("type")
        category = try o.strings("category")
        criticality = try o.string("criticality")
        code = try o.read("code")
        patient = try o.read("patient")
        encounter = try o.read("encounter")
        onsetDateTime = try o.dateTime("onsetDateTime")
        onsetAge = try o.read("onsetAge")
        onsetPeriod = try o.read("onsetPeriod")
        onsetRange = try o.read("onsetRange")
        onsetString = try o.string("onsetString")
        recordedDate = try o.dateTime("recordedDate")
        recorder = try o.read("recorder")
        note = try o.readArray("note")
        reaction = try o.readArray("reaction")
    }
}

extension AllergyIntolerance.Reaction: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(
            substance: try o.read("substance"), manifestation: try o.readArray("manifestation"),
            description: try o.string("description"), severity: try o.string("severity"))
    }
}

extension CarePlan: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        intent = try o.string("intent")
        category = try o.readArray("category")
        title = try o.string("title")
        description = try o.string("description")
        subject = try o.read("subject")
        period = try o.read("period")
        created = try o.dateTime("created")
        author = try o.read("author")
        addresses = try o.readArray("addresses")
        activity = try o.readArray("activity")
        note = try o.readArray("note")
    }
}

extension CarePlan.Activity: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(detail: try o.read("detail"))
    }
}

extension CarePlan.Detail: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(
            kind: try o.string("kind"), code: try o.read("code"), status: try o.string("status"),
            description: try o.string("description"), scheduledString: try o.string("scheduledString"),
            scheduledPeriod: try o.read("scheduledPeriod"), performer: try o.readArray("performer"))
    }
}

extension DocumentReference: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init()
        resourceType = try o.requiredString("resourceType")
        id = try o.string("id")
        meta = try o.read("meta")
        masterIdentifier = try o.read("masterIdentifier")
        identifier = try o.readArray("identifier")
        status = try o.string("status")
        docStatus = try o.string("docStatus")
        type = try o.read("type")
        category = try o.readArray("category")
        subject = try o.read("subject")
        date = try o.dateTime("date")
        author = try o.readArray("author")
        custodian = try o.read("custodian")
        description = try o.string("description")
        content = try o.readArray("content")
        context = try o.read("context")
    }
}

extension DocumentReference.Content: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(attachment: try o.read("attachment"), format: try o.read("format"))
    }
}

extension DocumentReference.Context: JSONValueReadable {
    public init(reading o: JSONObjectReader) throws {
        self.init(
            encounter: try o.readArray("encounter"), period: try o.read("period"),
            facilityType: try o.read("facilityType"), practiceSetting: try o.read("practiceSetting"))
    }
}
