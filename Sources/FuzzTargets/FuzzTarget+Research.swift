import DemoSources
import FHIR
import Foundation
import Platform
import Research

extension FuzzTarget {
    static let researchRequest = DataRequest(
        types: ["Condition", "Encounter", "Observation", "MedicationStatement"], codes: ["Condition": ["DJ44", "DE1"]],
        from: "2024-01", to: "2026-11", minAge: 18, maxAge: 99, dates: .quarter, ages: .fiveYears)
    static let researchKey = ProjectKey.generate()

    /// By the first byte: a Bulk Data kick-off's query at a source (`exportParameters`), an export manifest at the
    /// analysis platform (`BulkDataClient.outputs`), or NDJSON lines through the research extraction (`Extractor`).
    static func bulkData(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let mode = bytes.first else { return }
        let rest = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        let text = String(decoding: rest, as: UTF8.self)
        if mode >= 0xF0 {
            researchBodies(Data(rest), &check)
            return
        }
        switch mode % 3 {
        case 0:
            let offered = ["Patient", "Condition", "Observation"]
            do {
                let (types, since) = try FHIRSourceResponderExport.parameters(text, lenient: mode & 4 != 0, offered: offered)
                check.expect(types.allSatisfy(offered.contains), "an export asked for a type the source does not offer")
                check.expect(Set(types).count == types.count, "an export names a type twice")
                if let since { check.expect(since.timeIntervalSince1970.isFinite, "an export's _since is not a time") }
            } catch {
                check.expect([400].contains(error.status), "a kick-off was refused with \(error.status)")
                check.expect(!(error.outcome.issue.first?.diagnostics ?? "").isEmpty, "a refused kick-off has no words")
            }
        case 1:
            guard let manifest = try? JSONValue.parse(Data(rest)) else { return }
            let base = "https://source.example:8443/fhir"
            do {
                let outputs = try BulkDataClient.outputs(
                    of: manifest, types: ["Patient", "Condition"], base: base,
                    say: { id, _ in ResearchError(id) })
                for output in outputs {
                    check.expect(["Patient", "Condition"].contains(output.type), "a file of a type not asked for")
                    check.expect(BulkDataClient.sameOrigin(output.url, base), "a file elsewhere: \(output.url.prefix(80))")
                    check.expect((output.count ?? 0) >= 0, "a negative count")
                }
            } catch {
                check.expect(error.phrase.id.hasPrefix("research."), "a manifest was refused without words")
            }
        default:
            var extractor = Extractor(request: researchRequest, key: researchKey, optedOut: ["2509479989"])
            for line in text.split(separator: "\n").prefix(50) {
                guard let json = try? JSONValue.parse(Data(line.utf8)) else { continue }
                if let person = extractor.patient(json) {
                    check.expect(person.pid.count == 16, "a pseudonym is not 128 bits")
                    check.expect(["male", "female", "unknown"].contains(person.sex), "a sex that is not one of three")
                    check.expect(person.birth % 5 == 0, "a birth year not in its 5-year band")
                    check.expect(person.municipality.count <= 4, "a municipality code longer than four")
                }
                for type in ["Condition", "Encounter", "Observation", "MedicationStatement", "Patient"] {
                    guard let fact = extractor.fact(json, type: type) else { continue }
                    check.expect(
                        fact.code.count <= 20 && fact.code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") },
                        "a code with free text in it: \(fact.code.prefix(40))")
                    check.expect(
                        fact.kind != "condition" || fact.code.hasPrefix("DJ44") || fact.code.hasPrefix("DE1"),
                        "a diagnosis outside the approval: \(fact.code)")
                    check.expect(
                        fact.period.count == 7 && fact.period >= "2024-Q1" && fact.period <= "2026-Q4"
                            && fact.period.dropFirst(4).hasPrefix("-Q"),
                        "a period outside the approval or not a quarter: \(fact.period)")
                }
            }
            check.expect(extractor.report.optedOut <= 50, "more opted out than lines")
        }
    }

    /// What the analysis platform's users send (an application's `DataRequest`, a `StatisticsQuery`) and a Consent
    /// as the preferences source keeps it: decoded, a request that validates names only known types, a query that
    /// validates has at most two groupings, and a research opt-out is never a block.
    static func researchBodies(_ data: Data, _ check: inout PropertyCheck) {
        if let request = try? JSONDecoder().decode(DataRequest.self, from: data), let valid = try? request.validated() {
            check.expect(valid.types.allSatisfy(DataRequest.factTypes.contains), "an approved type that is not known")
            check.expect(valid.codes.keys.allSatisfy(valid.types.contains), "codes for a type not asked for")
        }
        if let query = try? JSONDecoder().decode(StatisticsQuery.self, from: data), let valid = try? query.validated() {
            check.expect(valid.by.count <= 2, "a query grouped by more than two")
        }
        guard let consent = try? JSONValue.parse(data) else { return }
        if ResearchOptOut.isResearch(consent) {
            check.expect(ConsentBlock.from([consent]).isEmpty, "a research opt-out read as a block")
        }
        _ = ResearchOptOut.optedOut([consent])
    }
}

/// The kick-off's parameters from a raw query, as a source reads them.
enum FHIRSourceResponderExport {
    static func parameters(_ query: String, lenient: Bool, offered: [String]) throws(FHIRError) -> (types: [String], since: Date?)
    {
        try FHIRSourceResponder.exportParameters(QueryString.parse(query), lenient: lenient, offered: offered)
    }

}
