import FHIR
import Federation
import Foundation
import Words

/// The app for screen readers and pipes: reads a CPR number per line, prints the overview as linear text (Danish, or English).
/// No boxes, no colours, no spinners.
public struct PlainSession: Sendable {
    let client: FederatedClient
    let initial: CPRNumber?
    let language: Language

    public init(client: FederatedClient, initial: CPRNumber? = nil, language: Language = .da) {
        self.client = client
        self.initial = initial
        self.language = language
    }

    public func run() async -> Int32 {
        func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
        if let initial {
            write(PlainOverviewRenderer(language: language).render(await client.overview(cpr: initial)))
            return 0
        }
        let strings = Strings.for(language)
        write(strings.text("plain.intro") + "\n")
        while true {
            write("CPR: ")
            guard let line = readLine(strippingNewline: true) else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text == "q" { break }
            do {
                let cpr = try CPRNumber(text)
                write(PlainOverviewRenderer(language: language).render(await client.overview(cpr: cpr)))
            } catch {
                write("\(strings.invalidCPR): \(strings.cprProblem(error))\n")
            }
        }
        return 0
    }
}
