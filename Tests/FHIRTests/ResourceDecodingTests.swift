import FHIR
import Foundation
import Testing

@Suite struct ResourceDecodingTests {
    func decode(_ json: String) throws -> AnyResource {
        try FHIRJSON.decode(AnyResource.self, from: Data(json.utf8))
    }

    @Test func ignoresUnknownElementsAndDecodesChoiceTypes() throws {
        let resource = try decode(
            """
            {"resourceType":"Condition","id":"c1","someVendorThing":{"x":[1,2]},"subject":{"reference":"Patient/p1"},
             "code":{"coding":[{"system":"urn:oid:1.2.208.176.2.4.12","code":"DI50","display":"Hjertesvigt"}]},
             "onsetPeriod":{"start":"2019-05"},"abatementString":"i remission"}
            """)
        guard case .condition(let condition) = resource else {
            Issue.record("not a Condition: \(resource)")
            return
        }
        #expect(condition.onset?.start?.text == "2019-05")
        #expect(condition.abatement == .string("i remission"))
        #expect(condition.code?.displayText == "Hjertesvigt")
    }

    @Test func observationValueVariants() throws {
        let quantity = try decode(
            #"{"resourceType":"Observation","status":"final","code":{"text":"Krea"},"effectiveDateTime":"2024-01-02T08:00:00+01:00","valueQuantity":{"value":128,"unit":"umol/L"}}"#
        )
        let text = try decode(
            #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectivePeriod":{"start":"2024"},"valueString":"negativ"}"#
        )
        let concept = try decode(
            #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueCodeableConcept":{"text":"Positiv"}}"#)
        guard case .observation(let q) = quantity, case .observation(let t) = text, case .observation(let c) = concept else {
            Issue.record("not observations")
            return
        }
        #expect(q.value?.displayText == "128 umol/L")
        #expect(q.value?.numericValue == 128)
        #expect(q.effective?.start?.text == "2024-01-02T08:00:00+01:00")
        #expect(t.value == .string("negativ"))
        #expect(t.effective?.start?.precision == .year)
        #expect(c.value?.displayText == "Positiv")
    }

    @Test func unknownResourceTypesAreKept() throws {
        let resource = try decode(#"{"resourceType":"Flag","id":"f1","status":"active"}"#)
        #expect(resource.resourceType == "Flag")
        #expect(resource.id == "f1")
    }

    @Test func aBundleWithGarbageEntriesKeepsTheGoodOnes() throws {
        let bundle = try FHIRJSON.decode(
            Bundle.self,
            from: Data(
                """
                {"resourceType":"Bundle","type":"searchset","total":4,"entry":[
                 {"resource":{"resourceType":"Patient","id":"ok"}},
                 {"resource":{"resourceType":"Observation","status":{"not":"a code"}}},
                 {"resource":"ikke en ressource"},
                 {"resource":{"id":"uden-type"}}]}
                """.utf8))
        #expect(bundle.resources.count == 1)
        let unreadable = (bundle.entry ?? []).filter { if case .unreadable = $0.resource { return true } else { return false } }
        #expect(unreadable.count == 3)
        if case .unreadable(let reason) = unreadable[0].resource {
            #expect(reason.contains("status"))
        }
    }

    @Test func referencesResolveAbsoluteRelativeAndVersioned() {
        #expect(Reference(reference: "Patient/123").target?.id == "123")
        #expect(Reference(reference: "http://127.0.0.1:8101/fhir/Patient/123").target?.type == "Patient")
        #expect(Reference(reference: "https://x/fhir/Encounter/e1/_history/3").target?.id == "e1")
        #expect(Reference(reference: "#contained").target == nil)
        #expect(Reference(reference: "urn:uuid:abc").target == nil)
    }

    @Test func backportSubscriptionFiltersAndPayloadExtensions() throws {
        let resource = try decode(
            """
            {"resourceType":"Subscription","status":"requested","reason":"ED board",
             "criteria":"https://sundhedscloud.dk/SubscriptionTopic/acute-arrival",
             "_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":"Encounter?service-provider=953741000016013"}]},
             "channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:9999/hook","payload":"application/fhir+json",
               "_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":"id-only"}]}}}
            """)
        guard case .subscription(let subscription) = resource else {
            Issue.record("not a Subscription")
            return
        }
        #expect(subscription._criteria?.extension?.first?.stringLikeValue == "Encounter?service-provider=953741000016013")
        #expect(subscription.channel?._payload?.extension?.first?.valueCode == "id-only")
    }

    @Test func notificationParametersReadStringNumbers() throws {
        let resource = try decode(
            """
            {"resourceType":"Parameters","parameter":[
              {"name":"subscription","valueReference":{"reference":"http://x/fhir/Subscription/s1"}},
              {"name":"status","valueCode":"active"},{"name":"type","valueCode":"event-notification"},
              {"name":"events-since-subscription-start","valueString":"42"},
              {"name":"notification-event","part":[{"name":"event-number","valueString":"42"},
                {"name":"focus","valueReference":{"reference":"Encounter/e1"}}]}]}
            """)
        guard case .parameters(let parameters) = resource else {
            Issue.record("not Parameters")
            return
        }
        #expect(parameters.first("events-since-subscription-start")?.integerValue == 42)
        let event = try #require(parameters.first("notification-event"))
        #expect(event.part("event-number")?.integerValue == 42)
        #expect(event.part("focus")?.valueReference?.target?.type == "Encounter")
    }

    @Test func roundTripsThroughJSON() throws {
        var patient = Patient()
        patient.id = "p1"
        patient.identifier = [Identifier(system: DanishSystems.cpr, value: "2509479989")]
        patient.name = [HumanName(family: "Elmer", given: ["Bruno", "Test"])]
        patient.birthDate = try FHIRDateTime("1947-09-25")
        let data = try FHIRJSON.encode(patient)
        let back = try FHIRJSON.decode(Patient.self, from: data)
        #expect(back == patient)
        #expect(back.cpr == "2509479989")
        #expect(String(decoding: data, as: UTF8.self).contains(#""resourceType":"Patient""#))
    }

    @Test func serializationPutsResourceTypeFirstAndEscapesControls() throws {
        let value = JSONValue.object([
            "b": .string("tab\tbell\u{07}esc\u{1B}[2J"), "resourceType": .string("Basic"), "id": .string("x"),
        ])
        let text = value.serializedString()
        #expect(text.hasPrefix(#"{"resourceType":"Basic","id":"x""#))
        #expect(text.contains(#"tab\tbell\u0007esc\u001b[2J"#))
        #expect(try JSONValue.parse(Data(text.utf8)) == value)
    }

    @Test func validatorNamesMissingRequiredElements() throws {
        let resource = try decode(#"{"resourceType":"Encounter","id":"e1","subject":{"reference":"Patient/1"}}"#)
        let problems = ResourceValidator.problems(in: resource)
        #expect(problems.contains("Encounter.status is required"))
        #expect(problems.contains("Encounter.class is required"))
        let badCode = try decode(
            #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:oid:1.2.208.176.2.1","code":"18016"}]}}"#
        )
        #expect(ResourceValidator.problems(in: badCode).contains { $0.contains("NPU code '18016' is malformed") })
    }
}

@Suite struct JSONParserTests {
    @Test func parsesWhatFoundationParses() throws {
        let text =
            #"{"a":[1,-2.5,3e2,true,false,null,"x\"y\\z\/\n\u00e6\ud83d\ude00"],"b":{},"c":[],"d":"Æblegrød","e":0.1,"f":-0}"#
        let ours = try JSONValue.parse(Data(text.utf8))
        let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == theirs)
        #expect(ours["a"]?.arrayValue?[6].stringValue == "x\"y\\z/\næ😀")
    }

    /// A large document shares repeated strings; text that differs only where the cache does not look (same length,
    /// same first, middle and last eight bytes) must never come back as another string.
    @Test func repeatedAndNearlyEqualTextInALargeDocument() throws {
        var expected: [String] = []
        for index in 0..<6000 {
            let variant = index % 900
            // 50 bytes, the varying digits between the words the cache samples: every variant meets in one slot.
            let middle = String(variant).leftPadded(to: 4)
            expected.append("http://x.org/" + middle + "/CodeSystem/observation-category!")
            expected.append(index % 3 == 0 ? "Klinisk Biokemisk Afdeling, Herlev" : "Klinisk Biokemisk Afdeling, Hvidovre")
            expected.append("Åbenbart ikke ASCII, men gentaget \(index % 5)")
        }
        let document = "[" + expected.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        #expect(document.utf8.count > 32 * 1024)
        let parsed = try JSONValue.parse(Data(document.utf8))
        #expect(parsed.arrayValue?.compactMap(\.stringValue) == expected)
        let bytes = Array(document.utf8)
        let sanitized = try bytes.withUnsafeBytes { try JSONValue.parseSanitized($0) }
        #expect(sanitized.arrayValue?.compactMap(\.stringValue) == expected)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "\"open", "tru", "01x", "{\"a\":1}x", "\"tab\there\"", "[1 2]"])
    func rejectsBrokenJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Data(text.utf8)) }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
