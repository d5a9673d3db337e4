import EventStream
import FHIR
import Federation
import Foundation
import Terminal

// Emergency access (værdispring): asked for with a reason, only through the gateway, only by clinicians.
extension Update {
    /// `:værdispring REASON`: the open patient under emergency access, after a reason of some length.
    static func emergency(reason: String, _ model: inout Model) -> [Effect] {
        let strings = model.strings
        guard model.emergencyAllowed else { return perform(.emergency, &model) }
        guard model.viaGateway, let cpr = model.cpr else {
            toast(
                strings.text("emergency.open-patient-first"),
                &model)
            return []
        }
        let text = TextSanitizer.cleanLine(reason, maxLength: 300)
        guard text.count >= 5 else {
            toast(
                strings.text("emergency.needs-reason"),
                &model)
            return []
        }
        model.loading = true
        model.emergencyCPRs.insert(cpr)
        toast(strings.text("emergency.granted"), &model)
        return [.grantEmergency(cpr, reason: text), .loadOverview(cpr, refresh: true)]
    }
}
